package dev.embedflow.source;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The KafkaSource's deserializer: every record becomes a {@link SourceRecord}, an event or a dead
 * letter, so that no record can fail the job or vanish.
 */
@Internal
public final class EventDeserializationSchema
        implements KafkaRecordDeserializationSchema<SourceRecord> {
    private static final long serialVersionUID = 1L;

    private final EventParser parser;

    public EventDeserializationSchema(EventFormat format) {
        this.parser = new EventParser(format);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        out.collect(parser.parse(record));
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
