package dev.embedflow.qa;

import dev.embedflow.config.JobArguments;
import java.util.concurrent.CountDownLatch;
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
        QaApplication app;
        try {
            app = QaApplication.start(JobArguments.parse(args).load(), System.getenv());
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
