package dev.embedflow.window;

import java.time.Duration;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.StateTtlConfig;

/** The time-to-live of EmbedFlow's remembered-per-document state. */
@Internal
public final class StateTtl {

    private StateTtl() {}

    /**
     * Expires {@code ttl} after the last write; expired entries are never returned, and are cleaned
     * up in the background and left out of full snapshots.
     */
    public static StateTtlConfig afterWrite(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                // Savepoints and full checkpoints leave expired entries out.
                .cleanupFullSnapshot()
                .build();
    }
}
