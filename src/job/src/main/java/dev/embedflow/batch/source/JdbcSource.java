package dev.embedflow.batch.source;

import dev.embedflow.batch.BatchOptions;
import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import dev.embedflow.opensearch.SecretSource;
import java.io.Serializable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * A SQL table or query as a bounded source: one document per row, id {@code <table>:<key>} (the
 * row's primary key) or, for a query, the key column's value. A table with a single integer key is
 * read in parallel by key ranges (one {@code SELECT ... WHERE key BETWEEN} per range); a query or
 * any other key is read by one task. The result is streamed ({@code batch.jdbc.fetch-size} rows per
 * round trip).
 *
 * <p>The password comes from an environment variable or a file, read where the rows are read; it is
 * never part of the job graph, a log line or {@link #toString()}.
 */
@Internal
public final class JdbcSource implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final String user;
    private final SecretSource password;
    private final String table;
    private final String query;
    private final String keyColumn;
    private final boolean integerKey;
    private final RecordFields fields;
    private final int fetchSize;

    private JdbcSource(
            String url,
            String user,
            SecretSource password,
            String table,
            String query,
            String keyColumn,
            boolean integerKey,
            RecordFields fields,
            int fetchSize) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.table = table;
        this.query = query;
        this.keyColumn = keyColumn;
        this.integerKey = integerKey;
        this.fields = fields;
        this.fetchSize = fetchSize;
    }

    /**
     * Reads the settings and checks them against the database: connects, finds the key column (the
     * table's primary key unless set) and the text columns (every character column but the key
     * unless set).
     *
     * @throws IllegalArgumentException naming the key of a bad setting, or what the database said
     */
    public static JdbcSource fromConfiguration(Configuration config) {
        String url = config.get(BatchOptions.JDBC_URL);
        String table = config.get(BatchOptions.JDBC_TABLE);
        String query = config.get(BatchOptions.JDBC_QUERY);
        if ((table == null) == (query == null)) {
            throw new IllegalArgumentException(
                    "With "
                            + BatchOptions.JDBC_URL.key()
                            + " set exactly one of "
                            + BatchOptions.JDBC_TABLE.key()
                            + " and "
                            + BatchOptions.JDBC_QUERY.key());
        }
        SecretSource password = null;
        if (config.get(BatchOptions.JDBC_PASSWORD_ENV) != null) {
            password = SecretSource.env(config.get(BatchOptions.JDBC_PASSWORD_ENV));
        } else if (config.get(BatchOptions.JDBC_PASSWORD_FILE) != null) {
            password = SecretSource.file(Path.of(config.get(BatchOptions.JDBC_PASSWORD_FILE)));
        }
        int fetchSize = config.get(BatchOptions.JDBC_FETCH_SIZE);
        if (fetchSize < 1) {
            throw new IllegalArgumentException(
                    BatchOptions.JDBC_FETCH_SIZE.key() + " must be positive, was " + fetchSize);
        }
        String user = config.get(BatchOptions.JDBC_USER);
        JdbcSource unchecked =
                new JdbcSource(url, user, password, table, query, null, false, null, fetchSize);
        try (Connection connection = unchecked.connect()) {
            String key = config.get(BatchOptions.JDBC_KEY_COLUMN);
            if (key == null && table != null) {
                key = primaryKey(connection.getMetaData(), table);
            }
            if (key == null) {
                throw new IllegalArgumentException(
                        table == null
                                ? BatchOptions.JDBC_KEY_COLUMN.key() + " is required with a query"
                                : "Table "
                                        + table
                                        + " has no single-column primary key; set "
                                        + BatchOptions.JDBC_KEY_COLUMN.key());
            }
            Map<String, Integer> columns = new LinkedHashMap<>();
            try (PreparedStatement statement =
                            connection.prepareStatement(
                                    "SELECT * FROM (" + unchecked.select() + ") q WHERE 1 = 0");
                    ResultSet rows = statement.executeQuery()) {
                ResultSetMetaData meta = rows.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.put(meta.getColumnLabel(i), meta.getColumnType(i));
                }
            }
            String keyColumn = key;
            if (!columns.containsKey(keyColumn)) {
                throw new IllegalArgumentException(
                        "Key column '" + keyColumn + "' is not in the result: " + columns.keySet());
            }
            List<String> text =
                    config.getOptional(BatchOptions.JDBC_TEXT_COLUMNS)
                            .orElseGet(
                                    () ->
                                            columns.entrySet().stream()
                                                    .filter(e -> !e.getKey().equals(keyColumn))
                                                    .filter(e -> isCharacter(e.getValue()))
                                                    .map(Map.Entry::getKey)
                                                    .toList());
            for (String column : text) {
                if (!columns.containsKey(column)) {
                    throw new IllegalArgumentException(
                            BatchOptions.JDBC_TEXT_COLUMNS.key()
                                    + ": no column '"
                                    + column
                                    + "' in "
                                    + columns.keySet());
                }
            }
            if (text.isEmpty()) {
                throw new IllegalArgumentException(
                        "No text column found; set " + BatchOptions.JDBC_TEXT_COLUMNS.key());
            }
            int keyType = columns.get(keyColumn);
            boolean integerKey =
                    table != null
                            && (keyType == Types.INTEGER
                                    || keyType == Types.BIGINT
                                    || keyType == Types.SMALLINT);
            return new JdbcSource(
                    url,
                    user,
                    password,
                    table,
                    query,
                    keyColumn,
                    integerKey,
                    new RecordFields(
                            keyColumn, text, config.get(BatchOptions.JDBC_TITLE_COLUMN), List.of()),
                    fetchSize);
        } catch (SQLException e) {
            throw new IllegalArgumentException(
                    "Could not read " + unchecked.describe() + ": " + e.getMessage(), e);
        }
    }

    private static boolean isCharacter(int type) {
        return switch (type) {
            case Types.CHAR,
                    Types.VARCHAR,
                    Types.LONGVARCHAR,
                    Types.NCHAR,
                    Types.NVARCHAR,
                    Types.LONGNVARCHAR,
                    Types.CLOB,
                    Types.NCLOB ->
                    true;
            default -> false;
        };
    }

    private static String primaryKey(DatabaseMetaData meta, String table) throws SQLException {
        String schema = null;
        String name = table;
        int dot = table.indexOf('.');
        if (dot > 0) {
            schema = table.substring(0, dot);
            name = table.substring(dot + 1);
        }
        List<String> keys = new ArrayList<>();
        for (String candidate : List.of(name, name.toLowerCase(), name.toUpperCase())) {
            try (ResultSet rs = meta.getPrimaryKeys(null, schema, candidate)) {
                while (rs.next()) {
                    keys.add(rs.getString("COLUMN_NAME"));
                }
            }
            if (!keys.isEmpty()) {
                break;
            }
        }
        return keys.size() == 1 ? keys.get(0) : null;
    }

    /** What is read, for messages: the table or query and the URL (without its parameters). */
    public String describe() {
        String where = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        return (table != null ? "table " + table : "query") + " at " + where;
    }

    private String select() {
        return table != null ? "SELECT * FROM " + table : query;
    }

    private String path() {
        String where = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        return where + "#" + (table != null ? table : "query");
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", new String(password.read()));
        }
        return DriverManager.getConnection(url, properties);
    }

    /** A range of integer keys, both ends inclusive; null ends mean the whole table (or query). */
    public record KeyRange(Long low, Long high) implements Serializable {}

    /** The rows as source items: key ranges spread over the environment's parallelism. */
    public DataStream<SourceItem> stream(StreamExecutionEnvironment env) {
        List<KeyRange> ranges = ranges(Math.max(1, env.getParallelism()));
        return env.fromData(ranges, TypeInformation.of(KeyRange.class))
                .uid("jdbc-ranges")
                .name("key ranges")
                .rebalance()
                .flatMap(new RowReader(this))
                .returns(TypeInformation.of(SourceItem.class))
                .uid("jdbc-rows")
                .name("rows of " + (table != null ? table : "query"));
    }

    /** {@code splits} key ranges covering the table, or one range for a query / other keys. */
    List<KeyRange> ranges(int splits) {
        if (!integerKey) {
            return List.of(new KeyRange(null, null));
        }
        try (Connection connection = connect();
                PreparedStatement statement =
                        connection.prepareStatement(
                                "SELECT MIN("
                                        + keyColumn
                                        + "), MAX("
                                        + keyColumn
                                        + ") FROM "
                                        + table);
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            long min = rs.getLong(1);
            if (rs.wasNull()) {
                return List.of(new KeyRange(null, null));
            }
            long max = rs.getLong(2);
            long span = max - min + 1;
            int count = (int) Math.max(1, Math.min(splits, span));
            List<KeyRange> ranges = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long low = min + span * i / count;
                long high = min + span * (i + 1) / count - 1;
                ranges.add(new KeyRange(low, high));
            }
            return ranges;
        } catch (SQLException e) {
            throw new IllegalArgumentException(
                    "Could not read the key range of " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "JdbcSource[" + describe() + ", key " + keyColumn + ", text " + fields.text() + "]";
    }

    /** Reads the rows of one key range per input. */
    private static final class RowReader extends RichFlatMapFunction<KeyRange, SourceItem> {
        private static final long serialVersionUID = 1L;

        private final JdbcSource source;
        private transient Connection connection;

        RowReader(JdbcSource source) {
            this.source = source;
        }

        @Override
        public void open(OpenContext openContext) throws SQLException {
            connection = source.connect();
            connection.setAutoCommit(false); // lets the PostgreSQL driver stream with a fetch size
            connection.setReadOnly(true);
        }

        @Override
        public void flatMap(KeyRange range, Collector<SourceItem> out) throws SQLException {
            String sql = source.select();
            if (range.low() != null) {
                sql += " WHERE " + source.keyColumn + " BETWEEN ? AND ?";
            }
            String idPrefix = source.table != null ? source.table + ":" : "";
            String path = source.path();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setFetchSize(source.fetchSize);
                if (range.low() != null) {
                    statement.setLong(1, range.low());
                    statement.setLong(2, range.high());
                }
                try (ResultSet rows = statement.executeQuery()) {
                    ResultSetMetaData meta = rows.getMetaData();
                    while (rows.next()) {
                        Map<String, String> values = new LinkedHashMap<>();
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            values.put(meta.getColumnLabel(i), rows.getString(i));
                        }
                        String key = values.get(source.keyColumn);
                        if (key == null) {
                            out.collect(
                                    SourceItem.deadLetter(
                                            DeadLetter.of(
                                                    Stage.SOURCE,
                                                    "no value in key column " + source.keyColumn,
                                                    List.of(Origin.file(path, null)),
                                                    null,
                                                    null)));
                            continue;
                        }
                        String id = idPrefix + key;
                        SourceItem item =
                                FileParsers.rowDocument(
                                        id,
                                        "jdbc",
                                        source.table != null ? source.table : "query",
                                        "sql",
                                        values,
                                        source.fields,
                                        Origin.file(path + ":" + key, null));
                        out.collect(
                                item != null
                                        ? item
                                        : SourceItem.deadLetter(
                                                DeadLetter.of(
                                                        Stage.SOURCE,
                                                        "no text in " + source.fields.text(),
                                                        List.of(
                                                                Origin.file(
                                                                        path + ":" + key, null)),
                                                        id,
                                                        null)));
                    }
                }
            }
            connection.commit();
        }

        @Override
        public void close() throws SQLException {
            if (connection != null) {
                connection.close();
            }
        }
    }
}
