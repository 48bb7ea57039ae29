package dev.embedflow.index;

import dev.embedflow.opensearch.OpenSearchOptions;
import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.Configuration;

/**
 * What an EmbedFlow index must look like: one index per embedding model, named {@code <base>-<model
 * slug>-v<version>} (e.g. {@code embedflow-all-minilm-l6-v2-v1}), read through an alias; a {@code
 * knn_vector} of the model's dimension in an HNSW graph with the given engine, space type, {@code
 * m} and {@code ef_construction}. Immutable, validated by {@link Builder#build()}.
 */
@PublicEvolving
public final class IndexSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private final String baseName;
    private final String alias;
    private final int version;
    private final String model;
    private final int dimension;
    private final KnnEngine engine;
    private final SpaceType spaceType;
    private final int m;
    private final int efConstruction;
    private final int shards;
    private final int replicas;

    private IndexSpec(Builder b) {
        this.baseName = b.baseName;
        this.alias = b.alias == null ? b.baseName : b.alias;
        this.version = b.version;
        this.model = b.model;
        this.dimension = b.dimension;
        this.engine = b.engine;
        this.spaceType = b.spaceType;
        this.m = b.m;
        this.efConstruction = b.efConstruction;
        this.shards = b.shards;
        this.replicas = b.replicas;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The index options of {@link OpenSearchOptions} for {@code model} with {@code dimension}
     * (probed from the embedding provider).
     *
     * @throws IllegalArgumentException naming the bad option key
     */
    public static IndexSpec fromConfiguration(Configuration conf, String model, int dimension) {
        Builder b = builder().model(model).dimension(dimension);
        b.baseName(conf.get(OpenSearchOptions.INDEX_BASE_NAME));
        conf.getOptional(OpenSearchOptions.INDEX_ALIAS).ifPresent(b::alias);
        b.version(conf.get(OpenSearchOptions.INDEX_VERSION));
        try {
            b.engine(KnnEngine.of(conf.get(OpenSearchOptions.KNN_ENGINE)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Option " + OpenSearchOptions.KNN_ENGINE.key() + ": " + e.getMessage());
        }
        try {
            b.spaceType(SpaceType.of(conf.get(OpenSearchOptions.KNN_SPACE_TYPE)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Option " + OpenSearchOptions.KNN_SPACE_TYPE.key() + ": " + e.getMessage());
        }
        b.hnsw(conf.get(OpenSearchOptions.KNN_M), conf.get(OpenSearchOptions.KNN_EF_CONSTRUCTION));
        b.shards(conf.get(OpenSearchOptions.INDEX_SHARDS));
        b.replicas(conf.get(OpenSearchOptions.INDEX_REPLICAS));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid opensearch.index.* options: " + e.getMessage());
        }
    }

    /** {@code all-MiniLM-L6-v2} -> {@code all-minilm-l6-v2}; any other character becomes '-'. */
    public static String slug(String model) {
        String slug =
                model.toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9]+", "-")
                        .replaceAll("^-+|-+$", "");
        if (slug.isEmpty()) {
            throw new IllegalArgumentException("model name '" + model + "' has no letters");
        }
        return slug;
    }

    /** The concrete index: {@code <base>-<model slug>-v<version>}. */
    public String indexName() {
        return baseName + "-" + slug(model) + "-v" + version;
    }

    /** The index template's name (same as the index). */
    public String templateName() {
        return indexName();
    }

    public String baseName() {
        return baseName;
    }

    /** The alias readers use. */
    public String alias() {
        return alias;
    }

    public int version() {
        return version;
    }

    public String model() {
        return model;
    }

    public int dimension() {
        return dimension;
    }

    public KnnEngine engine() {
        return engine;
    }

    public SpaceType spaceType() {
        return spaceType;
    }

    public int m() {
        return m;
    }

    public int efConstruction() {
        return efConstruction;
    }

    public int shards() {
        return shards;
    }

    public int replicas() {
        return replicas;
    }

    /** Another spec like this one for index {@code version} (e.g. a rebuild). */
    public IndexSpec withVersion(int version) {
        return toBuilder().version(version).build();
    }

    public Builder toBuilder() {
        return builder()
                .baseName(baseName)
                .alias(alias)
                .version(version)
                .model(model)
                .dimension(dimension)
                .engine(engine)
                .spaceType(spaceType)
                .hnsw(m, efConstruction)
                .shards(shards)
                .replicas(replicas);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexSpec s
                && baseName.equals(s.baseName)
                && alias.equals(s.alias)
                && version == s.version
                && model.equals(s.model)
                && dimension == s.dimension
                && engine == s.engine
                && spaceType == s.spaceType
                && m == s.m
                && efConstruction == s.efConstruction
                && shards == s.shards
                && replicas == s.replicas;
    }

    @Override
    public int hashCode() {
        return Objects.hash(baseName, alias, version, model, dimension, engine, spaceType, m);
    }

    @Override
    public String toString() {
        return indexName()
                + " (alias "
                + alias
                + ": "
                + model
                + ", "
                + dimension
                + " dims, hnsw/"
                + engine.value()
                + "/"
                + spaceType.value()
                + ", m="
                + m
                + ", ef_construction="
                + efConstruction
                + ")";
    }

    /** Collects the settings; {@link #build()} validates them together. */
    public static final class Builder {
        private String baseName = OpenSearchOptions.INDEX_BASE_NAME.defaultValue();
        private String alias;
        private int version = 1;
        private String model;
        private int dimension;
        private KnnEngine engine = KnnEngine.LUCENE;
        private SpaceType spaceType = SpaceType.COSINESIMIL;
        private int m = OpenSearchOptions.KNN_M.defaultValue();
        private int efConstruction = OpenSearchOptions.KNN_EF_CONSTRUCTION.defaultValue();
        private int shards = 1;
        private int replicas = 1;

        private Builder() {}

        public Builder baseName(String baseName) {
            this.baseName = baseName;
            return this;
        }

        /** The alias readers use; defaults to the base name. */
        public Builder alias(String alias) {
            this.alias = alias;
            return this;
        }

        public Builder version(int version) {
            this.version = version;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder dimension(int dimension) {
            this.dimension = dimension;
            return this;
        }

        public Builder engine(KnnEngine engine) {
            this.engine = engine;
            return this;
        }

        public Builder spaceType(SpaceType spaceType) {
            this.spaceType = spaceType;
            return this;
        }

        public Builder hnsw(int m, int efConstruction) {
            this.m = m;
            this.efConstruction = efConstruction;
            return this;
        }

        public Builder shards(int shards) {
            this.shards = shards;
            return this;
        }

        public Builder replicas(int replicas) {
            this.replicas = replicas;
            return this;
        }

        public IndexSpec build() {
            require(
                    baseName != null && NAME.matcher(baseName).matches(),
                    "base name '" + baseName + "' must be lower-case letters, digits, '-' or '_'");
            require(
                    alias == null || NAME.matcher(alias).matches(),
                    "alias '" + alias + "' must be lower-case letters, digits, '-' or '_'");
            require(model != null && !model.isBlank(), "the model name is required");
            slug(model);
            require(version >= 1, "version must be at least 1");
            require(
                    dimension >= 1 && dimension <= 16_000,
                    "dimension must be between 1 and 16000, not " + dimension);
            require(engine != null && spaceType != null, "engine and space type are required");
            require(m >= 2 && m <= 100, "HNSW m must be between 2 and 100, not " + m);
            require(
                    efConstruction >= 2 && efConstruction <= 10_000,
                    "HNSW ef_construction must be between 2 and 10000, not " + efConstruction);
            require(shards >= 1, "shards must be at least 1");
            require(replicas >= 0, "replicas must not be negative");
            IndexSpec spec = new IndexSpec(this);
            require(
                    !spec.alias.equals(spec.indexName()),
                    "the alias must differ from the index name " + spec.indexName());
            return spec;
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
