package dev.embedflow.batch.source;

import dev.embedflow.deadletter.DeadLetter;
import dev.embedflow.deadletter.Origin;
import dev.embedflow.deadletter.Stage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.IteratorResultIterator;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

/**
 * Reads whole files (one split per file) into {@link SourceItem}s with {@link FileParsers}: the
 * {@link BulkFormat} of the batch job's {@link FileSource}. After a file's records comes one {@link
 * SourceItem#fileEnd} item. An I/O error while reading is a dead letter for the file, not a job
 * failure.
 *
 * <p>In BATCH execution mode a failed reader's region restarts from the beginning of its files, so
 * restoring from a checkpointed position re-reads the file from its start.
 */
@Internal
public final class FileDocumentFormat implements BulkFormat<SourceItem, FileSourceSplit> {
    private static final long serialVersionUID = 1L;

    /** Items read per batch (records of a JSON lines or CSV file). */
    static final int BATCH_SIZE = 256;

    private final FileParsers parsers;

    public FileDocumentFormat(FileParsers parsers) {
        this.parsers = parsers;
    }

    /** A bounded source of every file under {@code paths} (directories are read recursively). */
    public static FileSource<SourceItem> source(FileParsers parsers, List<Path> paths) {
        return FileSource.forBulkFileFormat(
                        new FileDocumentFormat(parsers), paths.toArray(new Path[0]))
                .build();
    }

    @Override
    public Reader<SourceItem> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new FileReader(split);
    }

    @Override
    public Reader<SourceItem> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new FileReader(split);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<SourceItem> getProducedType() {
        return TypeInformation.of(SourceItem.class);
    }

    private final class FileReader implements Reader<SourceItem> {
        private final FileSourceSplit split;
        private FSDataInputStream stream;
        private Iterator<SourceItem> items;

        FileReader(FileSourceSplit split) {
            this.split = split;
        }

        /**
         * The next {@link #BATCH_SIZE} items, read now: the reader may be closed (and its stream
         * with it) before the records of a batch are emitted, so a batch never reads lazily.
         */
        @Override
        public RecordIterator<SourceItem> readBatch() throws IOException {
            if (items == null) {
                items = open();
            }
            if (!items.hasNext()) {
                return null;
            }
            List<SourceItem> batch = new ArrayList<>(BATCH_SIZE);
            while (items.hasNext() && batch.size() < BATCH_SIZE) {
                batch.add(items.next());
            }
            return new IteratorResultIterator<>(
                    batch.iterator(), CheckpointedPosition.NO_OFFSET, 0);
        }

        private Iterator<SourceItem> open() {
            String path = InputPaths.name(split.path());
            long size = split.fileSize();
            try {
                stream = split.path().getFileSystem().open(split.path());
                return new Guarded(path, parsers.parse(path, stream), size);
            } catch (IOException e) {
                return List.of(
                                failure(path, "could not open: " + e.getMessage()),
                                SourceItem.fileEnd(size))
                        .iterator();
            }
        }

        @Override
        public void close() throws IOException {
            if (stream != null) {
                stream.close();
            }
        }
    }

    private static SourceItem failure(String path, String reason) {
        return SourceItem.deadLetter(
                DeadLetter.of(Stage.SOURCE, reason, List.of(Origin.file(path, null)), null, null));
    }

    /**
     * A file's items, then its end; an exception from the parser ends the file with a dead letter.
     */
    private static final class Guarded implements Iterator<SourceItem> {
        private final String path;
        private final Iterator<SourceItem> items;
        private final long size;
        private SourceItem failure;
        private boolean ended;

        Guarded(String path, Iterator<SourceItem> items, long size) {
            this.path = path;
            this.items = items;
            this.size = size;
        }

        @Override
        public boolean hasNext() {
            return !ended;
        }

        @Override
        public SourceItem next() {
            if (ended) {
                throw new NoSuchElementException();
            }
            if (failure == null) {
                try {
                    if (items.hasNext()) {
                        return items.next();
                    }
                } catch (RuntimeException e) {
                    failure =
                            failure(
                                    path,
                                    "could not read the rest of the file: "
                                            + e.getClass().getSimpleName()
                                            + ": "
                                            + e.getMessage());
                    return failure;
                }
            }
            ended = true;
            return SourceItem.fileEnd(size);
        }
    }
}
