package dev.embedflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embedflow.bench.Profile.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileTest {

    @Test
    void threadGroupsDropTheNumbers() {
        assertThat(Profile.threadGroup("opensearch-sink-io-0")).isEqualTo("opensearch-sink-io");
        assertThat(Profile.threadGroup("Source: events (1/1)#0")).isEqualTo("Source: events");
        assertThat(Profile.threadGroup("main")).isEqualTo("main");
    }

    @Test
    void onlyTheModelsNativeCodeCountsAsBusy() {
        assertThat(Profile.busyNative(List.of("ai.onnxruntime.OrtSession.run", "x.Y.z"))).isTrue();
        assertThat(
                        Profile.busyNative(
                                List.of(
                                        "ai.djl.huggingface.tokenizers.jni.TokenizersLibrary.encode")))
                .isTrue();
        assertThat(Profile.busyNative(List.of("sun.nio.ch.EPoll.wait"))).isFalse();
        assertThat(Profile.busyNative(List.of())).isFalse();
    }

    @Test
    void summarizesThreadsHotMethodsAndTheFirstEmbedFlowFrame() {
        List<Sample> samples =
                List.of(
                        new Sample(
                                "onnx-1",
                                List.of(
                                        "ai.onnxruntime.OrtSession.run",
                                        "dev.embedflow.model.LocalEmbeddingModel.embed"),
                                true),
                        new Sample(
                                "onnx-2",
                                List.of(
                                        "ai.onnxruntime.OrtSession.run",
                                        "dev.embedflow.model.LocalEmbeddingModel.embed"),
                                true),
                        new Sample(
                                "sink-0",
                                List.of(
                                        "java.lang.String.hashCode",
                                        "dev.embedflow.bench.X.y",
                                        "dev.embedflow.sink.Writer.write"),
                                false),
                        new Sample("idle", List.of(), false));

        List<String> summary = Profile.summarize(samples, 2);

        assertThat(summary)
                .containsExactly(
                        "threads: `onnx` 50%, `idle` 25%",
                        "hot methods: `ai.onnxruntime.OrtSession.run (native)` 50%, `java.lang.String.hashCode` 25%",
                        "EmbedFlow frames on the stack: `dev.embedflow.model.LocalEmbeddingModel.embed` 50%, `dev.embedflow.sink.Writer.write` 25%");
        assertThat(Profile.summarize(List.of(), 3)).containsExactly("no samples");
    }
}
