package dev.embedflow.cli;

import dev.embedflow.qa.QaApplication;
import dev.embedflow.qa.QaOptions;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code embedflow qa}: the Q&A service alone, over an index that exists (e.g. the local one). */
@Command(
        name = "qa",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the Q&A service: an OpenAI-compatible API (POST /v1/chat/completions with"
                    + " citations, /v1/search, /v1/sessions) and a chat page, over an EmbedFlow"
                    + " index. Defaults fit a running `embedflow local`: OpenSearch on"
                    + " localhost:9200, the local model, answers quoted from the documents (no LLM),"
                    + " sessions in memory unless --redis is given.",
            "An LLM: -Dqa.llm.base-url=https://api.openai.com/v1 -Dqa.llm.model=gpt-4o-mini (key in"
                    + " EMBEDFLOW_QA_LLM_API_KEY). Every qa.* setting: `embedflow config`."
        })
final class QaCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin OpenSearchConnectionMixin connection;

    @Mixin SettingsMixin settings;

    @Option(names = "--port", description = "Port of the API and page (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(
            names = "--index",
            description = "Index or alias to answer from (default: ${DEFAULT-VALUE}).")
    String index = "embedflow";

    @Option(
            names = "--redis",
            paramLabel = "URL",
            description = "Redis for sessions, e.g. redis://localhost:6379 (default: in memory).")
    String redis;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put(QaOptions.PORT.key(), Integer.toString(port));
        defaults.put(QaOptions.INDEX.key(), index);
        if (redis != null) {
            defaults.put(QaOptions.REDIS_URL.key(), redis);
        }
        Configuration conf = settings.load(defaults);
        QaApplication app = QaApplication.start(conf, connection.config(), System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    app.close();
                                    stopped.countDown();
                                },
                                "embedflow-qa-shutdown"));
        out.printf(
                "Q&A service on http://localhost:%d (API: http://localhost:%d/v1). Ctrl-C stops.%n",
                app.port(), app.port());
        out.flush();
        stopped.await();
        return 0;
    }
}
