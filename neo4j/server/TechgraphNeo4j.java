// A real Neo4j community server (5.26, the version docker-compose.yml runs) for the tests and for a
// developer, without Docker: the server bin/neo4j starts (CommunityBootstrapper), on 127.0.0.1, on free
// ports, with authentication on and the given password, and its Browser at /browser.
//
// Run it with the classpath Maven resolves (the JVM flags are those bin/neo4j passes); tests/neo4j_server.py
// compiles it once into neo4j/server/target/classes and starts it so:
//
//   mvn -q -f neo4j/server/pom.xml dependency:build-classpath -Dmdep.outputFile=classpath.txt
//   java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED \
//        --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true \
//        -cp "$(cat neo4j/server/classpath.txt)" neo4j/server/TechgraphNeo4j.java HOME PASSWORD [SETTING=VALUE ...]
//
// HOME is the server's folder (data, logs); PASSWORD (8 characters or more) becomes user neo4j's, with
// no change required: set before the first start as `neo4j-admin dbms set-initial-password` sets it (no
// Cypher on a cold server), or through ALTER USER once started when HOME already has its users. Further arguments are Neo4j settings, among them the Browser's
// (browser.post_connect_cmd=..., browser.remote_content_hostname_whitelist=...). Once the server answers,
// one line goes to stdout:
//
//   techgraph-neo4j ready bolt=127.0.0.1:PORT http=127.0.0.1:PORT version=5.26.30
//
// The server stops cleanly when stdin closes or on SIGTERM/SIGINT.

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.kernel.internal.Version;
import org.neo4j.server.CommunityBootstrapper;
import org.neo4j.server.configuration.ServerSettings;

import picocli.CommandLine;

public class TechgraphNeo4j {
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args[1].length() < 8) {
            System.err.println("usage: TechgraphNeo4j HOME PASSWORD(8+ characters) [SETTING=VALUE ...]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(GraphDatabaseSettings.auth_enabled.name(), "true");
        settings.put(BoltConnector.enabled.name(), "true");
        settings.put(BoltConnector.listen_address.name(), "127.0.0.1:0"); // 0: a free port, read back below
        settings.put(HttpConnector.enabled.name(), "true");
        settings.put(HttpConnector.listen_address.name(), "127.0.0.1:0");
        settings.put(HttpsConnector.enabled.name(), "false");
        settings.put(GraphDatabaseSettings.udc_enabled.name(), "false"); // nothing leaves the machine
        settings.put(ServerSettings.allow_telemetry.name(), "false");
        settings.put(GraphDatabaseSettings.pagecache_memory.name(), "128m");
        // Bolt waits 5 s for its threads and 5 s for its connections on shutdown: a test server stops in one.
        settings.put(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time.name(), "1s");
        settings.put(BoltConnectorInternalSettings.connection_shutdown_wait_time.name(), "1s");
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                System.err.println("not a SETTING=VALUE argument: " + args[i]);
                System.exit(2);
            }
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }

        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        boolean initial = new CommandLine(new SetInitialPasswordCommand(new ExecutionContext(
                home, home.resolve("conf"), quiet, quiet, new DefaultFileSystemAbstraction()))).execute(args[1]) == 0;

        CommunityBootstrapper server = new CommunityBootstrapper();
        if (server.start(home, settings) != 0) {
            System.err.println("Neo4j did not start; its log is in " + home.resolve("logs"));
            System.exit(1);
        }
        // The bootstrapper's own shutdown hook stops the server on SIGTERM, SIGINT and System.exit.
        DatabaseManagementService dbms = server.getDatabaseManagementService();
        if (!initial) { // HOME held users already: the initial password does not apply to them
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", args[1]));
        }
        ConnectorPortRegister ports = ((GraphDatabaseAPI) dbms.database("system"))
                .getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
        System.out.println("techgraph-neo4j ready bolt=" + ports.getLocalAddress(ConnectorType.BOLT)
                + " http=" + ports.getLocalAddress(ConnectorType.HTTP) + " version=" + Version.getNeo4jVersion());
        System.out.flush();

        InputStream in = System.in; // the caller holds stdin open while it needs the server
        while (in.read() != -1) {
            // discard anything written; end of input means stop
        }
        System.exit(0);
    }
}
