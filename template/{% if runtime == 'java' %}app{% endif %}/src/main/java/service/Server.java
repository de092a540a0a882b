package service;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP server and its shutdown: on the first stop request, fail readiness for
 * `drainSeconds`, then stop accepting connections and wait at most `graceSeconds` for the
 * requests in flight.
 *
 * <p>Kubernetes sends SIGTERM and removes the pod from the Service's endpoints at the same time,
 * and the endpoint update takes a few seconds to reach every node. Serving on while /readyz
 * reports 503 avoids refusing the connections that still arrive meanwhile.
 */
final class Server {
    /** Each request occupies a worker thread from its first byte until it has been answered. */
    private static final int WORKERS = 32;

    /** Requests waiting for a worker; beyond this, new requests are refused by closing the connection. */
    private static final int QUEUED = 256;

    /** Idle keep-alive timeout: longer than any load balancer's in front (Google's 600 s is the longest), else 502s. */
    static final long IDLE_TIMEOUT_SECONDS = 620;

    /** The JDK server's idle timeout in seconds (default 30), read when the first server is created. */
    static final String IDLE_INTERVAL_PROPERTY = "sun.net.httpserver.idleInterval";

    static { // before any HttpServer.create: every server of the process is created by this class
        System.setProperty(IDLE_INTERVAL_PROPERTY, Long.toString(IDLE_TIMEOUT_SECONDS));
    }

    record Config(String host, int port, double drainSeconds, double graceSeconds) {
        static Config fromEnvironment(Map<String, String> env) {
            return new Config(
                    env.getOrDefault("HOST", "0.0.0.0"), // every interface of the pod
                    port(env.getOrDefault("PORT", "8080")),
                    seconds(env, "DRAIN_SECONDS", "5"),
                    seconds(env, "GRACEFUL_SHUTDOWN_SECONDS", "20"));
        }

        private static int port(String value) {
            try {
                int port = Integer.parseInt(value.trim());
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("PORT must be a port number; got \"" + value + "\"");
        }

        private static double seconds(Map<String, String> env, String name, String fallback) {
            String value = env.getOrDefault(name, fallback);
            try {
                double seconds = Double.parseDouble(value.trim());
                if (seconds >= 0 && seconds <= 3600) {
                    return seconds;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    name + " must be a number of seconds from 0 to 3600; got \"" + value + "\"");
        }
    }

    private final Config config;
    private final App app;
    private final HttpServer http;
    private final ThreadPoolExecutor workers;
    private final AtomicReference<String> stopReason = new AtomicReference<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Object lock = new Object();
    private int inFlight; // requests read or handled by a worker, or waiting for one; guarded by lock

    private Server(Config config, App app) throws IOException {
        this.config = config;
        this.app = app;
        // A bounded pool: a burst of requests queues up to QUEUED, not without limit. On Java 21,
        // Executors.newVirtualThreadPerTaskExecutor() is a one-line alternative.
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED), workerThreads());
        workers.allowCoreThreadTimeOut(true);
        this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        http.setExecutor(counting(workers));
        http.createContext("/", app);
    }

    static Server start(Config config, App app) throws IOException {
        Server server = new Server(config, app);
        server.http.start();
        Log.info("started", Json.object("host", config.host(), "port", server.port()));
        return server;
    }

    private static ThreadFactory workerThreads() {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "http-worker-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The server hands each request to a worker as a task, from reading it to answering it. */
    private Executor counting(Executor executor) {
        return task -> {
            changeInFlight(+1);
            try {
                executor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        changeInFlight(-1);
                    }
                });
            } catch (RuntimeException e) {
                changeInFlight(-1);
                throw e;
            }
        };
    }

    private void changeInFlight(int change) {
        synchronized (lock) {
            inFlight += change;
            if (inFlight == 0) {
                lock.notifyAll();
            }
        }
    }

    /** Waits until no request is in flight; false if some still are after the timeout. */
    private boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return true;
        }
    }

    int port() {
        return http.getAddress().getPort();
    }

    /** Starts draining and lets awaitStop() proceed; false if a stop was asked for already. */
    boolean requestStop(String reason) {
        if (!stopReason.compareAndSet(null, reason)) {
            return false;
        }
        app.setDraining(true);
        Log.info("draining before shutdown", Json.object("signal", reason, "drain_seconds", config.drainSeconds()));
        stopRequested.countDown();
        return true;
    }

    /** Waits for a stop request, drains, then stops; returns once the server has stopped. */
    void awaitStop() throws InterruptedException {
        stopRequested.await();
        Thread.sleep(Math.round(config.drainSeconds() * 1000));

        // stop() closes the listening socket at once, then waits for the requests in progress.
        // Some Java versions wait the whole delay even when there are none, so the service
        // waits on its own count instead and then ends stop()'s wait with stop(0).
        Thread stopper = new Thread(() -> http.stop((int) Math.ceil(config.graceSeconds())), "http-stop");
        stopper.setDaemon(true);
        stopper.start();
        if (!awaitIdle(Math.round(config.graceSeconds() * 1000))) {
            Log.warning("requests still in flight at the deadline; stopping",
                    Json.object("grace_seconds", config.graceSeconds()));
        }
        http.stop(0);
        workers.shutdownNow();
        Log.info("stopped", Json.object());
    }

    /** Stops at once, without draining (tests). */
    void close() {
        http.stop(0);
        workers.shutdownNow();
    }
}
