package dev.embedflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.embedflow.testing.TestDirs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** helm/embedflow linted and rendered by Helm itself (helm-java, offline), then read back. */
class HelmChartTest {

    private static final Path CHART = TestDirs.project("helm/embedflow");
    private static final Path PRODUCTION_VALUES =
            Path.of("src/test/resources/helm/production-values.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String JAR_URI = "local:///opt/flink/usrlib/embedflow.jar";

    @Test
    void helmLintFindsNothingEvenStrict() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void theRedisAddressCanComeFromASecretToo() throws Exception {
        List<JsonNode> rendered =
                documents(
                        new Helm(CHART)
                                .template()
                                .withName("embedflow")
                                .withKubeVersion("1.30.0")
                                .set("qa.redis.urlSecret.secretName", "redis-address")
                                .call());
        JsonNode env = only(rendered, "Deployment").at("/spec/template/spec/containers/0/env");
        assertThat(env.findParents("name").stream().map(e -> e.get("name").asText()))
                .contains("EMBEDFLOW_QA_REDIS_URL");
        assertThat(env.findValues("secretKeyRef").get(0).get("name").asText())
                .isEqualTo("redis-address");
        assertThat(qaConfig(rendered, "embedflow-qa")).doesNotContainKey("qa.redis.url");
    }

    @Nested
    class WithDefaultValues {

        private static List<JsonNode> rendered;

        @BeforeAll
        static void render() throws Exception {
            rendered =
                    documents(
                            new Helm(CHART)
                                    .template()
                                    .withName("embedflow")
                                    .withKubeVersion("1.30.0")
                                    .call());
        }

        @Test
        void rendersTheStreamingFlinkDeploymentTheQaServiceAndTheirConfigMaps() {
            assertThat(rendered.stream().map(d -> d.get("kind").asText()))
                    .containsExactlyInAnyOrder(
                            "FlinkDeployment", "ConfigMap", "ConfigMap", "Deployment", "Service");
        }

        @Test
        void theQaServiceSearchesTheJobsOpenSearchWithTheJobsModel() throws Exception {
            Map<String, String> conf = qaConfig(rendered, "embedflow-qa");
            assertThat(conf)
                    .containsEntry("opensearch.hosts", "http://opensearch:9200")
                    .containsEntry("embedding.provider", "openai")
                    .containsEntry("embedding.model", "text-embedding-3-small")
                    .containsEntry("qa.index", "embedflow")
                    .containsEntry("qa.port", "8080")
                    .doesNotContainKeys("source.topics", "window.mode", "qa.redis.url");
            JsonNode container =
                    only(rendered, "Deployment").at("/spec/template/spec/containers/0");
            assertThat(container.at("/image").asText()).isEqualTo("embedflow-qa:0.1.0");
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health");
            assertThat(container.at("/env").findValues("secretKeyRef")).isEmpty();
            JsonNode service = only(rendered, "Service");
            assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(80);
            assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
            assertThat(service.at("/spec/selector/app.kubernetes.io~1component").asText())
                    .isEqualTo("qa");
        }

        @Test
        void theStreamingJobRunsInApplicationModeAndUpgradesThroughSavepoints() {
            JsonNode deployment = only(rendered, "FlinkDeployment");
            assertThat(deployment.get("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
            JsonNode spec = deployment.get("spec");
            assertThat(spec.get("flinkVersion").asText()).isEqualTo("v2_2");
            assertThat(spec.get("image").asText()).isEqualTo("embedflow:0.1.0");
            assertThat(spec.get("serviceAccount").asText()).isEqualTo("flink");
            JsonNode job = spec.get("job");
            assertThat(job.get("jarURI").asText()).isEqualTo(JAR_URI);
            assertThat(job.get("entryClass").asText())
                    .isEqualTo(dev.embedflow.stream.StreamingJob.class.getName());
            assertThat(job.get("upgradeMode").asText()).isEqualTo("savepoint");
            assertThat(job.get("state").asText()).isEqualTo("running");
            assertThat(job.get("parallelism").asInt()).isEqualTo(2);
            assertThat(spec.at("/jobManager/resource/memory").asText()).isEqualTo("2048m");
            assertThat(spec.at("/taskManager/resource/cpu").asInt()).isEqualTo(2);
        }

        @Test
        void flinkConfigurationCarriesEveryProductionDefaultOfFlinkConf() {
            // The operator replaces the image's config.yaml with one made from flinkConfiguration.
            Map<String, String> conf = flinkConfiguration(only(rendered, "FlinkDeployment"));
            Map<String, String> defaults =
                    new HashMap<>(
                            GlobalConfiguration.loadConfiguration(
                                            TestDirs.project("flink-conf").toString())
                                    .toMap());
            defaults.remove("execution.checkpointing.dir");
            defaults.remove("execution.checkpointing.savepoint-dir");
            assertThat(conf).containsAllEntriesOf(defaults);
        }

        @Test
        void checkpointsSavepointsHaAndMetricsAreConfigured() {
            Map<String, String> conf = flinkConfiguration(only(rendered, "FlinkDeployment"));
            assertThat(conf)
                    .containsEntry("execution.checkpointing.dir", "file:///flink-data/checkpoints")
                    .containsEntry(
                            "execution.checkpointing.savepoint-dir",
                            "file:///flink-data/savepoints")
                    .containsEntry("high-availability.type", "kubernetes")
                    .containsEntry("high-availability.storageDir", "file:///flink-data/ha")
                    .containsEntry("metrics.reporter.prom.port", "9249")
                    .containsEntry(
                            "metrics.reporter.prom.factory.class",
                            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                    .containsEntry("taskmanager.numberOfTaskSlots", "2")
                    .containsEntry("source.topics", "events");
            JsonNode pod = only(rendered, "FlinkDeployment").at("/spec/podTemplate");
            assertThat(pod.at("/metadata/annotations/prometheus.io~1scrape").asText())
                    .isEqualTo("true");
            assertThat(pod.at("/metadata/annotations/prometheus.io~1port").asText())
                    .isEqualTo("9249");
            JsonNode container = pod.at("/spec/containers/0");
            assertThat(container.get("name").asText()).isEqualTo("flink-main-container");
            assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(9249);
            assertThat(container.has("env")).as("no secrets configured").isFalse();
        }
    }

    @Nested
    class WithProductionValues {

        private static List<JsonNode> rendered;

        @BeforeAll
        static void render() throws Exception {
            rendered =
                    documents(
                            new Helm(CHART)
                                    .template()
                                    .withName("search")
                                    .withNamespace("data")
                                    .withKubeVersion("1.30.0")
                                    .withValuesFile(PRODUCTION_VALUES)
                                    .call());
        }

        @Test
        void rendersBothJobsTheQaServiceTheConfigMapsAndAPodMonitor() {
            assertThat(rendered.stream().map(d -> d.get("kind").asText()))
                    .containsExactlyInAnyOrder(
                            "FlinkDeployment",
                            "FlinkDeployment",
                            "ConfigMap",
                            "ConfigMap",
                            "PodMonitor",
                            "Deployment",
                            "Service");
        }

        @Test
        void theQaServiceGetsRedisKeysAndTheLlmKeyOnlyFromSecretRefs() throws Exception {
            JsonNode deployment = only(rendered, "Deployment");
            assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
            JsonNode container = deployment.at("/spec/template/spec/containers/0");
            assertThat(container.at("/image").asText())
                    .isEqualTo("registry.example.com/data/embedflow-qa:0.1.0");
            Map<String, String> secretOf = new HashMap<>();
            container
                    .at("/env")
                    .forEach(
                            e -> {
                                if (e.has("valueFrom")) {
                                    secretOf.put(
                                            e.get("name").asText(),
                                            e.at("/valueFrom/secretKeyRef/name").asText());
                                }
                            });
            assertThat(secretOf)
                    .containsEntry("EMBEDFLOW_QA_API_KEYS", "embedflow-qa-keys")
                    .containsEntry("EMBEDFLOW_QA_REDIS_PASSWORD", "embedflow-redis")
                    .containsEntry("EMBEDFLOW_QA_LLM_API_KEY", "embedflow-llm")
                    .containsEntry("EMBEDFLOW_EMBEDDING_API_KEY", "embedflow-openai")
                    .containsEntry("EMBEDFLOW_OPENSEARCH_PASSWORD", "embedflow-opensearch");
            assertThat(container.at("/env").findValuesAsText("value")).containsExactly("/tmp/djl");
            assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                    .isTrue();

            Map<String, String> conf = qaConfig(rendered, "search-embedflow-qa");
            assertThat(conf)
                    .containsEntry("opensearch.hosts", "https://search.example.com:443")
                    .containsEntry("opensearch.auth.password-env", "EMBEDFLOW_OPENSEARCH_PASSWORD")
                    .containsEntry("embedding.api-key.env", "EMBEDFLOW_EMBEDDING_API_KEY")
                    .containsEntry("qa.redis.url", "rediss://redis.data.svc:6380")
                    .containsEntry("qa.llm.base-url", "https://api.openai.com/v1")
                    .containsEntry("qa.llm.model", "gpt-4o-mini")
                    .containsEntry(
                            "qa.cors.allowed-origins",
                            "https://chat.example.com;https://intranet.example.com");
            assertThat(
                            org.apache.flink.configuration.Configuration.fromMap(conf)
                                    .get(dev.embedflow.qa.QaOptions.CORS_ORIGINS))
                    .containsExactly("https://chat.example.com", "https://intranet.example.com");
        }

        @Test
        void secretsReachTheJobOnlyAsEnvironmentVariablesFromSecretRefs() throws Exception {
            JsonNode streaming = deployment("streaming");
            JsonNode env = streaming.at("/spec/podTemplate/spec/containers/0/env");
            assertThat(env).hasSize(4); // and the S3 credentials (checkpoints on s3://)
            assertThat(env.get(0).get("name").asText()).isEqualTo("EMBEDFLOW_EMBEDDING_API_KEY");
            assertThat(env.get(0).at("/valueFrom/secretKeyRef/name").asText())
                    .isEqualTo("embedflow-openai");
            assertThat(env.get(0).at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("api-key");
            assertThat(env.get(1).get("name").asText()).isEqualTo("EMBEDFLOW_OPENSEARCH_PASSWORD");
            assertThat(env.get(1).at("/valueFrom/secretKeyRef/name").asText())
                    .isEqualTo("embedflow-opensearch");
            assertThat(env.findValues("value")).as("no literal values").isEmpty();
            assertThat(flinkConfiguration(streaming))
                    .containsEntry("embedding.api-key.env", "EMBEDFLOW_EMBEDDING_API_KEY")
                    .containsEntry("opensearch.auth.type", "BASIC")
                    .containsEntry("opensearch.auth.username", "embedflow-writer")
                    .containsEntry("opensearch.auth.password-env", "EMBEDFLOW_OPENSEARCH_PASSWORD");
        }

        @Test
        void valuesSetTheImageResourcesParallelismArgsAndDirectories() {
            JsonNode spec = deployment("streaming").get("spec");
            assertThat(spec.get("image").asText())
                    .isEqualTo("registry.example.com/data/embedflow:0.1.0");
            assertThat(spec.at("/job/parallelism").asInt()).isEqualTo(6);
            assertThat(spec.at("/job/savepointTriggerNonce").asInt()).isEqualTo(3);
            assertThat(spec.at("/job/args").toString())
                    .isEqualTo("[\"--config\",\"/opt/embedflow/config/extra.yaml\"]");
            assertThat(spec.at("/jobManager/replicas").asInt()).isEqualTo(2);
            assertThat(spec.at("/taskManager/resource/memory").asText()).isEqualTo("8192m");
            assertThat(flinkConfiguration(deployment("streaming")))
                    .containsEntry(
                            "execution.checkpointing.dir", "s3://acme-flink/embedflow/checkpoints")
                    .containsEntry(
                            "execution.checkpointing.savepoint-dir",
                            "s3://acme-flink/embedflow/savepoints")
                    .containsEntry("high-availability.storageDir", "s3://acme-flink/embedflow/ha")
                    .containsEntry("execution.checkpointing.interval", "30s")
                    .containsEntry("execution.checkpointing.incremental", "true")
                    .containsEntry("taskmanager.numberOfTaskSlots", "3")
                    .containsEntry(
                            "source.bootstrap-servers", "kafka-0.kafka:9093,kafka-1.kafka:9093")
                    .containsEntry(
                            "window.template-file", "/opt/embedflow/config/document.mustache");
        }

        @Test
        void theConfigMapHoldsTheTemplateAndFilesAndIsMountedInEveryPod() {
            JsonNode data = configMap(rendered, "search-embedflow-config").get("data");
            assertThat(data.get("document.mustache").asText())
                    .startsWith("{{entity}} ({{eventCount}} events)");
            assertThat(data.get("extra.yaml").asText()).contains("requests-per-second: 50");
            for (String component : List.of("streaming", "batch")) {
                JsonNode pod = deployment(component).at("/spec/podTemplate/spec");
                assertThat(pod.at("/volumes/0/configMap/name").asText())
                        .isEqualTo("search-embedflow-config");
                assertThat(pod.at("/containers/0/volumeMounts/0/mountPath").asText())
                        .isEqualTo("/opt/embedflow/config");
            }
        }

        @Test
        void thePodMonitorScrapesTheReporterPortOfThisRelease() {
            JsonNode monitor = only(rendered, "PodMonitor");
            assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
            assertThat(
                            monitor.at("/spec/selector/matchLabels/app.kubernetes.io~1instance")
                                    .asText())
                    .isEqualTo("search");
            assertThat(monitor.at("/spec/podMetricsEndpoints/0/port").asText())
                    .isEqualTo("metrics");
            assertThat(
                            deployment("streaming")
                                    .at("/spec/podTemplate/metadata/annotations/team")
                                    .asText())
                    .isEqualTo("search");
        }

        @Test
        void theBatchSideJobRunsBatchJobInBatchModeWithTheSameSettingsAndSecrets() {
            JsonNode batch = deployment("batch");
            assertThat(batch.at("/metadata/name").asText()).isEqualTo("search-embedflow-batch");
            assertThat(batch.at("/spec/job/entryClass").asText())
                    .isEqualTo("dev.embedflow.batch.BatchJob");
            assertThat(batch.at("/spec/job/jarURI").asText()).isEqualTo(JAR_URI);
            assertThat(batch.at("/spec/job/upgradeMode").asText()).isEqualTo("stateless");
            assertThat(batch.at("/spec/job/parallelism").asInt()).isEqualTo(4);
            assertThat(batch.at("/spec/job/args").toString())
                    .isEqualTo("[\"--input\",\"s3://acme-docs/manuals/**.{md,pdf}\"]");
            assertThat(flinkConfiguration(batch))
                    .containsEntry("execution.runtime-mode", "BATCH")
                    .containsEntry("opensearch.hosts", "https://search.example.com:443")
                    .containsEntry("embedding.api-key.env", "EMBEDFLOW_EMBEDDING_API_KEY");
            JsonNode env = batch.at("/spec/podTemplate/spec/containers/0/env");
            assertThat(env).hasSize(4);
            assertThat(env.get(2).at("/name").asText()).isEqualTo("AWS_ACCESS_KEY_ID");
            assertThat(env.get(2).at("/valueFrom/secretKeyRef/name").asText())
                    .isEqualTo("embedflow-s3");
            assertThat(env.get(3).at("/name").asText()).isEqualTo("AWS_SECRET_ACCESS_KEY");
        }

        private JsonNode deployment(String component) {
            return rendered.stream()
                    .filter(d -> d.get("kind").asText().equals("FlinkDeployment"))
                    .filter(
                            d ->
                                    d.at("/metadata/labels/app.kubernetes.io~1component")
                                            .asText()
                                            .equals(component))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static List<JsonNode> documents(String yaml) throws Exception {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            var values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode document = values.next();
                if (document != null && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    private static JsonNode configMap(List<JsonNode> documents, String name) {
        return documents.stream()
                .filter(d -> d.get("kind").asText().equals("ConfigMap"))
                .filter(d -> d.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** The Q&A service's config.yaml, read as Flink reads it. */
    private static Map<String, String> qaConfig(List<JsonNode> documents, String name)
            throws Exception {
        String yaml = configMap(documents, name).at("/data/config.yaml").asText();
        Map<String, String> conf = new HashMap<>();
        YAML.readTree(yaml)
                .fields()
                .forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        assertThat(yaml).doesNotContain("password:", "api-key:");
        return conf;
    }

    private static JsonNode only(List<JsonNode> documents, String kind) {
        List<JsonNode> matching =
                documents.stream().filter(d -> d.get("kind").asText().equals(kind)).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    /** The deployment's flinkConfiguration; every value must be a string (the CRD's type). */
    private static Map<String, String> flinkConfiguration(JsonNode deployment) {
        Map<String, String> conf = new HashMap<>();
        deployment
                .at("/spec/flinkConfiguration")
                .fields()
                .forEachRemaining(
                        e -> {
                            assertThat(e.getValue().isTextual()).as(e.getKey()).isTrue();
                            conf.put(e.getKey(), e.getValue().asText());
                        });
        assertThat(conf.keySet()).doesNotContainAnyElementsOf(Set.of("password", "api-key"));
        return conf;
    }
}
