package dev.embedflow.qa.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private static final String KEY = "acme-secret-key-0001";

    private static final ApiKeys KEYS =
            ApiKeys.parse(
                    "{\"tenants\": [{\"name\": \"acme\", \"keys\": [\""
                            + KEY
                            + "\"], \"filter\": {\"tenant\": \"acme\", \"region\": [\"eu\","
                            + " \"us\"]}}, {\"name\": \"ops\", \"keys\": [\"ops-secret-key-00001\"]}]}",
                    "test");

    @Test
    void aKeyIsItsTenantWithItsFilter() {
        Tenant acme = KEYS.authenticate("Bearer " + KEY).orElseThrow();
        assertThat(acme.name()).isEqualTo("acme");
        assertThat(acme.filter())
                .isEqualTo(Map.of("tenant", List.of("acme"), "region", List.of("eu", "us")));
        assertThat(KEYS.authenticate("bearer ops-secret-key-00001").orElseThrow().filter())
                .isEmpty();
    }

    @Test
    void noKeyOrAWrongKeyIsNobody() {
        assertThat(KEYS.authenticate(null)).isEmpty();
        assertThat(KEYS.authenticate("Bearer wrong-key-000000000")).isEmpty();
        assertThat(KEYS.authenticate(KEY)).isEmpty();
        assertThat(KEYS.authenticate("Basic " + KEY)).isEmpty();
    }

    @Test
    void withoutKeysEveryoneIsTheOpenTenant() {
        assertThat(ApiKeys.open().authenticate(null)).hasValue(Tenant.OPEN);
        assertThat(ApiKeys.open().isOpen()).isTrue();
    }

    @Test
    void badKeyFilesAreRefusedWithoutEchoingAKey() {
        assertThatThrownBy(
                        () ->
                                ApiKeys.parse(
                                        "{\"tenants\": [{\"name\": \"a\", \"keys\": [\"short\"]}]}",
                                        "f"))
                .hasMessageContaining("shorter than 16")
                .hasMessageNotContaining("short\"");
        String twice =
                "{\"tenants\": [{\"name\": \"a\", \"keys\": [\""
                        + KEY
                        + "\"]}, {\"name\": \"b\", \"keys\": [\""
                        + KEY
                        + "\"]}]}";
        assertThatThrownBy(() -> ApiKeys.parse(twice, "f"))
                .hasMessageContaining("listed twice")
                .hasMessageNotContaining(KEY);
        assertThatThrownBy(
                        () ->
                                ApiKeys.parse(
                                        "{\"tenants\": [{\"name\": \"bad name\", \"keys\": [\""
                                                + KEY
                                                + "\"]}]}",
                                        "f"))
                .hasMessageContaining("tenant name");
        assertThatThrownBy(() -> ApiKeys.parse("not json " + KEY, "f"))
                .hasMessageContaining("not valid JSON")
                .hasMessageNotContaining(KEY);
        assertThat(KEYS.toString()).doesNotContain(KEY);
    }
}
