package dev.embedflow.cli;

import dev.embedflow.bench.Benchmark;
import dev.embedflow.bench.BenchmarkPlot;
import dev.embedflow.bench.BenchmarkReport;
import dev.embedflow.bench.BenchmarkTable;
import dev.embedflow.devserver.LocalFiles;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embedflow bench}: measures the raw limits (embedding server, OpenSearch bulk) and the
 * streaming job against them, the batch job's first run and re-run and indexing into a growing
 * index, in one run; prints the table and writes {@code docs/benchmarks/README.md} with its plot
 * {@code docs/benchmarks/benchmarks.png}. Not part of {@code ./mvnw verify}.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmarks EmbedFlow against the raw embedding server and OpenSearch bulk"
                        + " (starts its own servers on free ports).")
final class BenchCommand implements Callable<Integer> {

    /** The plot's file name, next to the report. */
    static final String PLOT = "benchmarks.png";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--quick",
            description =
                    "Small sizes: a few minutes (default sizes: over an hour on 2 cores, about 45"
                            + " minutes of it rows 9).")
    boolean quick;

    @Option(
            names = "--only",
            split = ",",
            paramLabel = "ROWS",
            description =
                    "Only these rows, for working on them: 2 (the sink and the streaming job,"
                            + " with 1a and 1b, their baselines), 5 (growth), 9 (EmbedFlow and"
                            + " ML_PREDICT against the hosted-API stand-in), 10 (the int8 model);"
                            + " the table is printed, no report is written.")
    java.util.Set<String> only = java.util.Set.of();

    @Option(
            names = "--opensearch-home",
            description =
                    "The OpenSearch distribution (default: "
                            + Checkout.OPENSEARCH_HOME
                            + " in the checkout).")
    Path openSearchHome;

    @Option(
            names = "--report",
            description =
                    "Where the Markdown report goes (default: docs/benchmarks/README.md); the plot"
                            + " goes next to it as benchmarks.png.")
    Path report;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path home = openSearchHome != null ? openSearchHome : Checkout.openSearchHome();
        Path target = report != null ? report : Checkout.resolve("docs/benchmarks/README.md");
        Path workDir = Files.createTempDirectory("embedflow-bench-");
        BenchmarkTable table;
        try {
            Benchmark benchmark =
                    new Benchmark(
                            quick ? Benchmark.Sizes.QUICK : Benchmark.Sizes.DEFAULT,
                            workDir,
                            home,
                            line -> {
                                out.println(line);
                                out.flush();
                            });
            table = benchmark.only(only).run();
        } finally {
            LocalFiles.deleteRecursively(workDir);
        }
        out.println();
        out.print(table.toText());
        for (String finding : table.findings()) {
            out.println();
            out.println(finding.strip());
        }
        if (!only.isEmpty()) {
            out.flush();
            return 0;
        }
        String openSearchVersion = home.getFileName().toString().replaceFirst("^opensearch-", "");
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path plot = target.resolveSibling(PLOT);
        BenchmarkPlot.write(table, plot);
        Files.writeString(
                target,
                BenchmarkReport.markdown(
                        table,
                        quick ? "--quick" : "",
                        openSearchVersion,
                        ZonedDateTime.now(),
                        Optional.of(PLOT)),
                StandardCharsets.UTF_8);
        out.println();
        out.println("Report written to " + target.toAbsolutePath().normalize());
        out.println("Plot written to " + plot.toAbsolutePath().normalize());
        out.flush();
        return 0;
    }
}
