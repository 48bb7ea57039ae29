package dev.embedflow.index;

import java.util.List;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * What an existing index holds, read from its mapping.
 *
 * @param name the concrete index
 * @param model the embedding model recorded in the mapping's {@code _meta}, if any
 * @param dimension the vector dimension, 0 if there is no {@code embedding} field
 * @param engine the k-NN engine ({@code faiss} when the mapping leaves it to the default)
 * @param spaceType the vector space ({@code l2} when the mapping leaves it to the default)
 * @param aliases aliases pointing at the index
 * @param documents the number of documents (searchable ones, as of the last refresh)
 */
@PublicEvolving
public record IndexInfo(
        String name,
        Optional<String> model,
        int dimension,
        String engine,
        String spaceType,
        List<String> aliases,
        long documents) {}
