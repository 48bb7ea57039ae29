package dev.embedflow.batch;

import dev.embedflow.devserver.OpenSearchNode;
import dev.embedflow.model.LocalEmbeddingModel;
import dev.embedflow.model.server.EmbeddingServer;
import dev.embedflow.testing.OpenSearchTestIndex;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** What the batch job's integration tests share: settings, a run, PDF fixtures. */
final class BatchFixtures {

    private BatchFixtures() {}

    /** Embedding through {@code server} (openai provider), writing {@code index} as its alias. */
    static Configuration config(
            OpenSearchNode node,
            OpenSearchTestIndex index,
            EmbeddingServer server,
            Path deadLetters) {
        Configuration config = new Configuration();
        config.setString("embedding.provider", "openai");
        config.setString("embedding.base-url", server.baseUri().toString());
        config.setString("embedding.model", LocalEmbeddingModel.MODEL_ID);
        config.setString("opensearch.hosts", node.httpUri().toString());
        config.setString("opensearch.index.base-name", index.name() + "-base");
        config.setString("opensearch.index.alias", index.name());
        config.setString("opensearch.index.replicas", "0");
        config.setString("batch.dead-letter-dir", deadLetters.toString());
        config.setString("batch.progress-interval", "1 s");
        return config;
    }

    /** The run's summary and what it printed. */
    record Run(BatchJob.Prepared prepared, BatchSummary summary, String console) {}

    static Run run(Configuration config) throws Exception {
        return run(config, BatchJob.prepare(config));
    }

    /** Runs the job prepared before (the start-up probe embeds one text: count after it). */
    static Run run(Configuration config, BatchJob.Prepared prepared) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BatchSummary summary;
        try (PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            summary = BatchJob.run(env, config, prepared, console);
        }
        return new Run(prepared, summary, out.toString(StandardCharsets.UTF_8));
    }

    /** A PDF with one page per text, and a title. */
    static byte[] pdf(String title, List<String> pages) throws IOException {
        try (PDDocument pdf = new PDDocument()) {
            pdf.getDocumentInformation().setTitle(title);
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (String text : pages) {
                PDPage page = new PDPage();
                pdf.addPage(page);
                try (PDPageContentStream content = new PDPageContentStream(pdf, page)) {
                    content.beginText();
                    content.setFont(font, 12);
                    content.newLineAtOffset(50, 700);
                    content.showText(text);
                    content.endText();
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pdf.save(out);
            return out.toByteArray();
        }
    }
}
