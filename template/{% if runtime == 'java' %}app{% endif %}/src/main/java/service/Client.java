package service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Client mode: the image has no shell or curl, so `helm test` and the canary's test-traffic job
 * run the service's own entry point with these commands.
 */
final class Client {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    record Result(int answered, int failed) {}

    private Client() {}

    private static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
    }

    /** True iff GET url answers 200 within 5 s. */
    static boolean probe(String url) {
        try {
            HttpResponse<Void> response = newClient()
                    .sendAsync(get(url), HttpResponse.BodyHandlers.discarding())
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return response.statusCode() == 200;
        } catch (IllegalArgumentException | ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * GETs url `perSecond` times a second for `seconds`, each request with a 5 s timeout, and
     * counts the requests that got an HTTP answer and those that failed (error, timeout or 5xx).
     */
    static Result traffic(String url, double seconds, double perSecond) throws InterruptedException {
        long total = Math.round(seconds * perSecond);
        HttpRequest request;
        try {
            request = get(url);
        } catch (IllegalArgumentException e) {
            return new Result(0, (int) total);
        }
        HttpClient client = newClient();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            // Requests start on a fixed schedule, whether or not earlier ones have been answered.
            long wait = start + Math.round(i * 1e9 / perSecond) - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((response, error) -> {
                        boolean ok = error == null && response.statusCode() < 500;
                        (ok ? answered : failed).incrementAndGet();
                        return null;
                    }));
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
        return new Result(answered.get(), failed.get());
    }
}
