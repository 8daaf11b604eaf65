import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Opens pages in headless Chromium and checks that they rendered: every image decoded, the expected number of
 * images and charts, no script error or console error, and a screenshot that is not blank. Run by .ci/run and
 * tools/pictures-demo as a single-file program (Java 17 runs a .java file directly):
 *
 * <pre>
 *   java tools/CheckPages.java [--screenshots DIR] PAGE.html:images=N,charts=M[,window=WxH] ...
 * </pre>
 *
 * A copy of each page gets a small script that counts what loaded after the load event and puts the counts in
 * the title, which {@code --dump-dom} prints; the page itself has no script. Exit 0 when every page passes, 1
 * (after checking the rest) when any fails, each failure named.
 */
public class CheckPages {

  private static final String PROBE = """
      <script>
      (function () {
        var errors = [];
        window.addEventListener('error', function (e) { errors.push(String(e.message || e)); }, true);
        var log = console.error;
        console.error = function () { errors.push(Array.prototype.join.call(arguments, ' ')); log.apply(console,
            arguments); };
        window.addEventListener('load', function () {
          var imgs = Array.prototype.slice.call(document.images);
          var decoded = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
          var charts = document.querySelectorAll('svg.chart, svg.heatmap, img.heatmap').length;
          document.title = 'CHECK ' + JSON.stringify({images: imgs.length, decoded: decoded, charts: charts,
              errors: errors});
        });
      })();
      </script>
      """;

  public static void main(String[] args) throws Exception {
    Path shots = null;
    List<String> pages = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--screenshots")) {
        shots = Path.of(args[++i]);
      } else {
        pages.add(args[i]);
      }
    }
    if (pages.isEmpty()) {
      System.err.println("usage: java tools/CheckPages.java [--screenshots DIR] PAGE.html[:images=N,charts=M] ...");
      System.exit(2);
    }
    String chromium = findChromium();
    int failed = 0;
    for (String spec : pages) {
      List<String> problems = check(chromium, spec, shots);
      if (problems.isEmpty()) {
        System.out.println("check-pages: " + spec + ": ok");
      } else {
        failed++;
        problems.forEach(p -> System.err.println("check-pages: " + spec + ": " + p));
      }
    }
    System.exit(failed == 0 ? 0 : 1);
  }

  private static List<String> check(String chromium, String spec, Path shots) throws Exception {
    String[] parts = spec.split(":", 2);
    Path page = Path.of(parts[0]).toAbsolutePath();
    int wantImages = -1;
    int wantCharts = -1;
    String window = "1000,1400";
    if (parts.length == 2) {
      for (String kv : parts[1].split(",")) {
        String[] e = kv.split("=", 2);
        switch (e[0]) {
          case "images" -> wantImages = Integer.parseInt(e[1]);
          case "charts" -> wantCharts = Integer.parseInt(e[1]);
          case "window" -> window = e[1].replace('x', ',');
          default -> throw new IllegalArgumentException("unknown expectation " + kv
              + " (images=N, charts=N, window=WxH)");
        }
      }
    }
    List<String> problems = new ArrayList<>();
    if (!Files.isRegularFile(page)) {
      problems.add("no such file");
      return problems;
    }
    Path work = Files.createTempDirectory("check-pages");
    try {
      String html = Files.readString(page, StandardCharsets.UTF_8);
      int head = html.indexOf("<head>");
      if (head < 0) {
        problems.add("no <head>");
        return problems;
      }
      Path probed = work.resolve("page.html");
      Files.writeString(probed, html.substring(0, head + 6) + PROBE + html.substring(head + 6));
      String dom = run(chromium, work, "--dump-dom", probed.toUri().toString());
      Matcher m = Pattern.compile("<title>CHECK (\\{.*?\\})</title>", Pattern.DOTALL).matcher(dom);
      if (!m.find()) {
        problems.add("the page did not finish loading (no load event in headless Chromium)");
        return problems;
      }
      String result = m.group(1).replace("&quot;", "\"");
      int images = number(result, "images");
      int decoded = number(result, "decoded");
      int charts = number(result, "charts");
      String errors = result.substring(result.indexOf("\"errors\":") + 9, result.lastIndexOf('}'));
      if (decoded != images) {
        problems.add((images - decoded) + " of " + images + " images did not decode");
      }
      if (wantImages >= 0 && images != wantImages) {
        problems.add(images + " images, expected " + wantImages);
      }
      if (wantCharts >= 0 && charts != wantCharts) {
        problems.add(charts + " charts, expected " + wantCharts);
      }
      if (!errors.equals("[]")) {
        problems.add("script or console errors: " + errors);
      }
      Path png = work.resolve("shot.png");
      run(chromium, work, "--screenshot=" + png, "--window-size=" + window, page.toUri().toString());
      BufferedImage shot = ImageIO.read(png.toFile());
      if (shot == null) {
        problems.add("no screenshot");
        return problems;
      }
      int colours = colours(shot);
      if (colours < 16) {
        problems.add("the screenshot is blank (" + colours + " colours)");
      }
      if (shots != null) {
        Files.createDirectories(shots);
        String name = page.getFileName().toString().replaceAll("\\.html$", "") + ".png";
        Files.copy(png, shots.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      System.out.printf("check-pages: %s: %d images decoded, %d charts, %d colours on screen%n", page.getFileName(),
          decoded, charts, colours);
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return problems;
  }

  private static int number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + key + " in " + json);
    }
    return Integer.parseInt(m.group(1));
  }

  private static int colours(BufferedImage image) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        seen.add(image.getRGB(x, y) & 0xffffff);
      }
    }
    return seen.size();
  }

  private static String run(String chromium, Path work, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--hide-scrollbars", "--user-data-dir=" + work.resolve("profile"), "--virtual-time-budget=10000"));
    cmd.addAll(List.of(args));
    Path out = work.resolve("stdout.txt");
    Path err = work.resolve("stderr.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("chromium did not finish in 120 s: " + String.join(" ", cmd));
    }
    if (p.exitValue() != 0) {
      throw new IOException("chromium exited " + p.exitValue() + ": " + Files.readString(err));
    }
    return Files.readString(out);
  }

  private static String findChromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        if (Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    System.err.println("check-pages: no chromium on PATH: apt-get install -y chromium (Debian's package)");
    System.exit(1);
    return null;
  }
}
