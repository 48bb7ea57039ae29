package dev.embedflow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenSearchConnectionConfigTest {

    private static final String PASSWORD = "Sup3r-s3cret!";

    @TempDir Path dir;

    @Test
    void fromConfigurationReadsEveryConnectionOption() throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
        Configuration conf = new Configuration();
        conf.set(OpenSearchOptions.HOSTS, java.util.List.of("https://a:9200", "https://b:9200"));
        conf.set(OpenSearchOptions.AUTH_TYPE, OpenSearchOptions.AuthType.BASIC);
        conf.set(OpenSearchOptions.USERNAME, "indexer");
        conf.set(OpenSearchOptions.PASSWORD_FILE, passwordFile.toString());
        conf.set(OpenSearchOptions.TLS_CA_FILE, "/etc/ca.pem");

        OpenSearchConnectionConfig config = OpenSearchConnectionConfig.fromConfiguration(conf);

        assertThat(config.hosts()).hasSize(2);
        assertThat(config.https()).isTrue();
        assertThat(config.username()).contains("indexer");
        assertThat(new String(config.password().orElseThrow().read())).isEqualTo(PASSWORD);
        assertThat(config.caFile()).contains(Path.of("/etc/ca.pem"));
        assertThat(config.insecureSkipVerify()).isFalse();
    }

    @Test
    void aMissingOrWrongOptionIsNamedByItsKey() {
        Configuration basicWithoutUser = new Configuration();
        basicWithoutUser.set(OpenSearchOptions.AUTH_TYPE, OpenSearchOptions.AuthType.BASIC);
        assertThatThrownBy(() -> OpenSearchConnectionConfig.fromConfiguration(basicWithoutUser))
                .hasMessageContaining("opensearch.auth.username");

        Configuration twoPasswords = new Configuration();
        twoPasswords.set(OpenSearchOptions.AUTH_TYPE, OpenSearchOptions.AuthType.BASIC);
        twoPasswords.set(OpenSearchOptions.USERNAME, "u");
        assertThatThrownBy(() -> OpenSearchConnectionConfig.fromConfiguration(twoPasswords))
                .hasMessageContaining("opensearch.auth.password-env")
                .hasMessageContaining("opensearch.auth.password-file");

        Configuration badHost = new Configuration();
        badHost.set(OpenSearchOptions.HOSTS, java.util.List.of("localhost:9200"));
        assertThatThrownBy(() -> OpenSearchConnectionConfig.fromConfiguration(badHost))
                .hasMessageContaining("opensearch.hosts");

        Configuration awsWithoutRegion = new Configuration();
        awsWithoutRegion.set(OpenSearchOptions.AUTH_TYPE, OpenSearchOptions.AuthType.AWS_SIGV4);
        assertThatThrownBy(() -> OpenSearchConnectionConfig.fromConfiguration(awsWithoutRegion))
                .hasMessageContaining("opensearch.aws.region");

        Configuration badService = new Configuration();
        badService.set(OpenSearchOptions.AUTH_TYPE, OpenSearchOptions.AuthType.AWS_SIGV4);
        badService.set(OpenSearchOptions.AWS_REGION, "eu-west-1");
        badService.set(OpenSearchOptions.AWS_SERVICE, "s3");
        assertThatThrownBy(() -> OpenSearchConnectionConfig.fromConfiguration(badService))
                .hasMessageContaining("opensearch.aws.service");
    }

    @Test
    void contradictorySettingsAreRefusedAtBuild() {
        assertThatThrownBy(
                        () ->
                                OpenSearchConnectionConfig.builder()
                                        .host("http://localhost:9200")
                                        .caFile(Path.of("ca.pem"))
                                        .build())
                .hasMessageContaining("need https://");
        assertThatThrownBy(
                        () ->
                                OpenSearchConnectionConfig.builder()
                                        .host("https://localhost:9200")
                                        .caFile(Path.of("ca.pem"))
                                        .insecureSkipVerify(true)
                                        .build())
                .hasMessageContaining("contradicts");
        assertThatThrownBy(
                        () ->
                                OpenSearchConnectionConfig.builder()
                                        .host("http://u:p@localhost:9200")
                                        .build())
                .hasMessageContaining("must not carry credentials")
                .hasMessageNotContaining("u:p");
    }

    @Test
    void neitherToStringNorTheSerializedConfigHoldsThePassword() throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("pw"), PASSWORD);
        OpenSearchConnectionConfig config =
                OpenSearchConnectionConfig.builder()
                        .host("https://search.example.com:9200")
                        .basicAuth("indexer", SecretSource.file(passwordFile))
                        .build();

        assertThat(config.toString())
                .contains("indexer")
                .contains("file:" + passwordFile)
                .doesNotContain(PASSWORD);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(config);
        }
        assertThat(bytes.toString(StandardCharsets.ISO_8859_1)).doesNotContain(PASSWORD);
    }

    @Test
    void anUnsetPasswordVariableIsNamedWithoutAValue() {
        SecretSource secret = SecretSource.env("EMBEDFLOW_TEST_SURELY_UNSET_VARIABLE");

        assertThatThrownBy(secret::read)
                .hasMessageContaining("EMBEDFLOW_TEST_SURELY_UNSET_VARIABLE")
                .hasMessageContaining("not set");
        assertThat(secret).hasToString("env:EMBEDFLOW_TEST_SURELY_UNSET_VARIABLE");
    }
}
