package dev.embedflow.sink.internal;

import dev.embedflow.sink.IndexAction;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's type information for {@link IndexAction}: {@link IndexActionSerializer}, no Kryo. */
@Internal
public final class IndexActionTypeInfo extends TypeInformation<IndexAction> {
    private static final long serialVersionUID = 1L;

    public static final IndexActionTypeInfo INSTANCE = new IndexActionTypeInfo();

    /** What {@code @TypeInfo} on {@link IndexAction} names. */
    public static final class Factory extends TypeInfoFactory<IndexAction> {
        @Override
        public TypeInformation<IndexAction> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<IndexAction> getTypeClass() {
        return IndexAction.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<IndexAction> createSerializer(SerializerConfig config) {
        return IndexActionSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "IndexAction";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexActionTypeInfo;
    }

    @Override
    public int hashCode() {
        return IndexActionTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof IndexActionTypeInfo;
    }
}
