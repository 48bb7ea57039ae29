package dev.embedflow.qa;

import dev.embedflow.config.JobConfiguration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's entry point in its own image: {@code java -jar embedflow-qa-service.jar [--config
 * FILE] [-Dkey=value ...]}. Settings: {@code $FLINK_CONF_DIR/config.yaml}, then {@code --config},
 * then {@code -D}. A configuration error prints one line naming the setting and exits with 2.
 */
public final class QaMain {

    static {
        // Before the first logger: the service's own logging (stderr) unless one is given.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "embedflow-qa-log4j2.properties");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(QaMain.class);

    private QaMain() {}

    public static void main(String[] args) throws InterruptedException {
        Path configFile = null;
        Map<String, String> dynamic = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--config") && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (arg.startsWith("-D") && arg.contains("=")) {
                String setting = arg.substring(2);
                int eq = setting.indexOf('=');
                dynamic.put(setting.substring(0, eq), setting.substring(eq + 1));
            } else {
                System.err.println(
                        "usage: embedflow-qa [--config FILE] [-Dkey=value ...]; unknown argument: "
                                + arg);
                System.exit(2);
            }
        }
        QaApplication app;
        try {
            Configuration conf =
                    JobConfiguration.load(
                            JobConfiguration.flinkConfDirFromEnvironment(), configFile, dynamic);
            app = QaApplication.start(conf, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("embedflow-qa: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    LOG.info("Stopping the Q&A service");
                                    app.close();
                                    stopped.countDown();
                                },
                                "embedflow-qa-shutdown"));
        stopped.await();
    }
}
