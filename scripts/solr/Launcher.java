// Runs a real Apache Solr 9 node with Solr's own embedded Jetty runner
// (org.apache.solr.embedded.JettySolrRunner), so the project needs no Solr distribution.
// Run as a single-file source program (no build step):
//
//   java -cp '.lngov/solr/lib/*' scripts/solr/Launcher.java SOLR_HOME PORT CONFIGSET_DIR [CORE=CONFIGSET ...]
//
// SOLR_HOME is created if missing and gets config/solr/solr.xml. Each CORE=CONFIGSET makes sure
// the core exists (by core discovery: a core.properties naming the configset), so a fresh node
// comes up with its cores. Bound to 127.0.0.1 only. Stops cleanly on SIGTERM.
//
// With -DzkHost=HOST:PORT the node joins a SolrCloud (scripts/cloud.sh): it gets
// config/solr/solr-cloud.xml instead, and no CORE=CONFIGSET (collections are made with the
// Collections API, their configsets uploaded to ZooKeeper).
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class Launcher {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: Launcher SOLR_HOME PORT CONFIGSET_DIR [CORE=CONFIGSET ...]");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    Path configsets = Path.of(args[2]).toAbsolutePath();
    String zkHost = System.getProperty("zkHost", "");
    boolean cloud = !zkHost.isEmpty();
    Path solrXml = configsets.getParent().resolve(cloud ? "solr-cloud.xml" : "solr.xml");

    Files.createDirectories(home);
    Files.copy(solrXml, home.resolve("solr.xml"), StandardCopyOption.REPLACE_EXISTING);
    for (int i = 3; i < args.length && !cloud; i++) {
      String[] pair = args[i].split("=", 2);
      Path coreDir = home.resolve(pair[0]);
      Path props = coreDir.resolve("core.properties");
      if (!Files.exists(props)) {
        Files.createDirectories(coreDir);
        Files.writeString(props, "name=" + pair[0] + "\nconfigSet=" + pair[1] + "\n");
      }
    }

    // Read by solr.xml and by Jetty; the same names bin/solr uses.
    System.setProperty("configSetBaseDir", configsets.toString());
    System.setProperty("host", "127.0.0.1");
    System.setProperty("solr.allowPaths", home.toString());
    System.setProperty("jetty.host", "127.0.0.1");
    System.setProperty("hostPort", Integer.toString(port));

    JettyConfig config = JettyConfig.builder()
        .setPort(port)
        .setContext("/solr")
        .stopAtShutdown(true)
        .build();
    JettySolrRunner solr = new JettySolrRunner(home.toString(), config);
    solr.start();
    System.out.println("Solr " + org.apache.solr.client.api.util.SolrVersion.LATEST + " listening on http://127.0.0.1:"
        + solr.getLocalPort() + "/solr (home " + home + (cloud ? ", SolrCloud " + zkHost : "") + ")");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        solr.stop();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }));
    Thread.currentThread().join();
  }
}
