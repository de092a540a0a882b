package service;

import java.io.IOException;
import java.util.Map;
import sun.misc.Signal;

/**
 * Entry point of the image. Without arguments it runs the server; with arguments it is a small
 * HTTP client of the service:
 *
 * <pre>
 *   probe URL                        exit 0 iff GET URL answers 200 within 5 s
 *   traffic URL SECONDS PER_SECOND   steady test traffic, for the canary analysis
 * </pre>
 */
public final class Main {
    private static final String USAGE = "usage: java -jar service.jar [probe URL | traffic URL SECONDS PER_SECOND]";

    private Main() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        System.exit(run(args));
    }

    static int run(String[] args) throws IOException, InterruptedException {
        if (args.length == 0) {
            return serve(System.getenv());
        }
        if (args[0].equals("probe") && args.length == 2) {
            return Client.probe(args[1]) ? 0 : 1;
        }
        if (args[0].equals("traffic") && args.length == 4) {
            double seconds = positive(args[2]);
            double perSecond = positive(args[3]);
            if (seconds > 0 && perSecond > 0) {
                Client.Result result = Client.traffic(args[1], seconds, perSecond);
                System.out.println(result.answered() + " requests answered, " + result.failed() + " failed");
                return result.answered() > 0 ? 0 : 1;
            }
        }
        System.err.println(USAGE);
        return 2;
    }

    private static double positive(String value) {
        try {
            double number = Double.parseDouble(value);
            return Double.isFinite(number) ? number : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int serve(Map<String, String> env) throws IOException, InterruptedException {
        Server server;
        try {
            Log.configure(env.getOrDefault("LOG_LEVEL", "info"), env.get("OTEL_SERVICE_NAME"),
                    env.get("ENVIRONMENT"));
            server = Server.start(Server.Config.fromEnvironment(env), new App());
        } catch (IllegalArgumentException e) {
            Log.error("invalid configuration", Json.object("error", e.getMessage()));
            return 2;
        }
        handleSignals(server);
        server.awaitStop();
        return 0;
    }

    /**
     * The first SIGTERM or SIGINT starts the graceful stop; a second one exits at once.
     *
     * <p>sun.misc.Signal (module jdk.unsupported, in every JDK and JRE) replaces the JVM's own
     * handler; with shutdown hooks instead, a second signal could not cut the drain short and
     * the exit status would be 143 rather than 0.
     */
    private static void handleSignals(Server server) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                String reason = "SIG" + signal.getName();
                if (!server.requestStop(reason)) {
                    Log.warning("second signal: exiting at once", Json.object("signal", reason));
                    System.exit(128 + signal.getNumber());
                }
            });
        }
    }
}
