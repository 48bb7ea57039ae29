package dev.embedflow.local;

import dev.embedflow.testing.TestDirs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Q&A page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs), driven through WebDriver as a person would use it.
 */
final class QaPage implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    /** What one question shows: the answer and the citations listed under it. */
    record Turn(String answer, List<String> citations) {}

    /** The source panel a citation opens. */
    record Source(String title, String window, String text) {}

    private final ChromeDriver driver;

    private QaPage(ChromeDriver driver) {
        this.driver = driver;
    }

    static QaPage open(URI page) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException(
                    "The page test needs a real browser: install Debian's chromium and"
                            + " chromium-driver (apt-get install chromium chromium-driver; .ci/run"
                            + " does)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1280,800");
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.get(page.toString());
        new WebDriverWait(driver, ANSWER_TIMEOUT)
                .until(d -> d.findElement(By.id("model")).getText().startsWith("model: "));
        return new QaPage(driver);
    }

    /** Types {@code question}, submits it, and waits until its answer has streamed in. */
    Turn ask(String question) {
        int before = turns();
        WebElement input = driver.findElement(By.id("question"));
        input.sendKeys(question);
        driver.findElement(By.id("send")).click();
        WebDriverWait wait = new WebDriverWait(driver, ANSWER_TIMEOUT);
        wait.until(d -> turns() == before + 1);
        // The button is disabled while the answer streams.
        wait.until(d -> d.findElement(By.id("send")).isEnabled());
        WebElement turn = driver.findElements(By.cssSelector("#conversation .turn")).get(before);
        WebElement answer = turn.findElement(By.className("answer"));
        if (answer.getAttribute("class").contains("error")) {
            throw new AssertionError("The page shows an error: " + answer.getText());
        }
        List<String> citations =
                turn.findElements(By.cssSelector(".citations li")).stream()
                        .map(WebElement::getText)
                        .toList();
        return new Turn(answer.getText(), citations);
    }

    /** Clicks citation {@code n} of the last answer and reads the source panel. */
    Source openCitation(int n) {
        List<WebElement> turns = driver.findElements(By.cssSelector("#conversation .turn"));
        WebElement last = turns.get(turns.size() - 1);
        last.findElements(By.cssSelector(".citations li a")).get(n - 1).click();
        new WebDriverWait(driver, Duration.ofSeconds(5))
                .until(d -> d.findElement(By.id("source")).isDisplayed());
        return new Source(
                driver.findElement(By.id("source-title")).getText(),
                driver.findElement(By.id("source-window")).getText(),
                driver.findElement(By.id("source-text")).getText());
    }

    /** The session id the page sends (X-Session-Id). */
    String sessionId() {
        return (String) driver.executeScript("return sessionStorage.getItem('embedflow.session');");
    }

    /** Clicks "New conversation". */
    void newConversation() {
        driver.findElement(By.id("new-conversation")).click();
    }

    /** Questions on the page now. */
    int turns() {
        return driver.findElements(By.cssSelector("#conversation .turn")).size();
    }

    /**
     * Saves a screenshot as {@code target/<name>}; with {@code -Dembedflow.docs.update=true} also
     * as {@code docs/images/<name>} (the docs' picture of the page is regenerated on purpose, never
     * by a plain test run).
     */
    void screenshot(String name) throws IOException {
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Path target = TestDirs.workDir().getParent().resolve(name);
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
        if (Boolean.getBoolean("embedflow.docs.update")) {
            Path docs = TestDirs.project().resolve("docs/images");
            Files.createDirectories(docs);
            Files.copy(shot, docs.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
