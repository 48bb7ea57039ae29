package dev.embedflow.devserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventPublisherTest {

    @Test
    void aCloudEventIsKeyedByItsSubject() {
        assertThat(
                        EventPublisher.keyOf(
                                "{\"specversion\":\"1.0\",\"subject\":\"customer-42\",\"type\":\"x\"}",
                                "/subject"))
                .contains("customer-42");
    }

    @Test
    void plainJsonIsKeyedByTheFieldThePointerNames() {
        assertThat(EventPublisher.keyOf("{\"customer\":{\"id\":7},\"n\":1}", "/customer/id"))
                .contains("7");
    }

    @Test
    void lineWithoutTheKeyOrNotJsonHasNoKey() {
        assertThat(EventPublisher.keyOf("{\"type\":\"order.placed\"}", "/subject")).isEmpty();
        assertThat(EventPublisher.keyOf("{\"subject\":{\"nested\":true}}", "/subject")).isEmpty();
        assertThat(EventPublisher.keyOf("{\"subject\": broken", "/subject")).isEmpty();
        assertThat(EventPublisher.keyOf("[1,2]", "/subject")).isEmpty();
    }

    @Test
    void aKeyPointerMustBeAJsonPointer() {
        assertThatThrownBy(() -> EventPublisher.connect("localhost:1", "events", "subject"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON pointer");
    }
}
