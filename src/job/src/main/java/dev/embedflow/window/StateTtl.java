package dev.embedflow.window;

import java.time.Duration;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.StateTtlConfig;

/** The time-to-live of EmbedFlow's remembered-per-document state. */
@Internal
public final class StateTtl {

    private StateTtl() {}

    /** Expires {@code ttl} after the last write; expired entries are never returned. */
    public static StateTtlConfig afterWrite(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }
}
