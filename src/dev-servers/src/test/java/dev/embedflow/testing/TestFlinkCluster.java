package dev.embedflow.testing;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster integration tests run jobs on: one TaskManager with two slots. */
public final class TestFlinkCluster {

    private TestFlinkCluster() {}

    /** For {@code @RegisterExtension static final MiniClusterExtension FLINK = ...}. */
    public static MiniClusterExtension twoSlots() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }
}
