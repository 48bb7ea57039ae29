package dev.embedflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The job jar flavour with the model ({@code embedflow-job-with-model-<version>-flink.jar}): the
 * lean jar's content plus all-MiniLM-L6-v2 (fp32 and int8) and its runtime, registered for the job.
 */
class JobJarWithModelITCase extends JobJarContract {

    @Test
    void bringsTheModelAndItsRuntimeButNoTooling() {
        assertThat(jar.entries())
                .contains(
                        "all-minilm-l6-v2.onnx",
                        "all-minilm-l6-v2-q.onnx",
                        "all-minilm-l6-v2-tokenizer.json",
                        "ai/onnxruntime/OrtEnvironment.class",
                        "dev/embedflow/model/LocalProvider.class")
                .anyMatch(e -> e.startsWith("ai/onnxruntime/native/linux-x64/"))
                .noneMatch(e -> e.startsWith("ai/onnxruntime/native/win-"))
                .noneMatch(e -> e.startsWith("software/amazon/"))
                .noneMatch(e -> e.startsWith("picocli/"))
                .noneMatch(e -> e.startsWith("dev/embedflow/cli/"))
                .noneMatch(e -> e.startsWith("dev/embedflow/devserver/"));
    }

    @Test
    void registersTheLocalProviderAndTheMiniLmTokenizerForTheJob() throws IOException {
        assertThat(jar.read("META-INF/services/dev.embedflow.embedding.EmbeddingProviderFactory"))
                .contains("dev.embedflow.model.LocalProviderFactory");
        assertThat(jar.read("META-INF/services/dev.embedflow.chunk.TokenCounterFactory"))
                .contains("dev.embedflow.model.MiniLmTokenCounterFactory");
    }
}
