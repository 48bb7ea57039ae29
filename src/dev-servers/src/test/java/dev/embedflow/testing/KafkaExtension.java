package dev.embedflow.testing;

import dev.embedflow.devserver.KafkaBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the real Kafka broker of this test run: started once, on first use, by the first test
 * class that asks, and stopped when the run ends. Tests take a {@link KafkaBroker} parameter and
 * create their own topics with {@link #createTopic}.
 */
public final class KafkaExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    /** The run's broker, started on first use. */
    public static KafkaBroker broker(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        RunningBroker.class, key -> new RunningBroker(), RunningBroker.class)
                .broker;
    }

    /** Creates a topic with a unique name starting with {@code prefix} and returns the name. */
    public static String createTopic(KafkaBroker broker, String prefix, int partitions) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not create topic " + name, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted creating topic " + name, e);
        }
        return name;
    }

    /**
     * A producer of string keys and values to {@code broker} that waits for every replica ({@code
     * acks=all}); transactional with a unique transactional id if asked.
     */
    public static KafkaProducer<String, String> stringProducer(
            KafkaBroker broker, boolean transactional) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactional) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-" + UUID.randomUUID());
        }
        return new KafkaProducer<>(props);
    }

    private static final class RunningBroker implements AutoCloseable {
        final KafkaBroker broker;

        RunningBroker() {
            Path workDir = TestDirs.workDir().resolve("kafka");
            broker = KafkaBroker.builder().workDir(workDir).build().start();
        }

        @Override
        public void close() {
            broker.close();
        }
    }
}
