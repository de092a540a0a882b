"""Client mode of the service's own image, which has no shell or curl: `helm test` and the
analysis traffic of a progressive rollout run `python -m service probe|traffic ...`."""

import time
import urllib.request

USAGE = "usage: python -m service probe URL | traffic URL SECONDS PER_SECOND"


def answers_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def traffic(url: str, seconds: float, per_second: float) -> tuple[int, int]:
    answered = failed = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if answers_ok(url):
            answered += 1
        else:
            failed += 1
        time.sleep(1 / per_second)
    return answered, failed


def main(args: list[str]) -> int:
    match args:
        case ["probe", url]:
            return 0 if answers_ok(url) else 1
        case ["traffic", url, seconds, per_second]:
            answered, failed = traffic(url, float(seconds), float(per_second))
            print(f"{answered} requests answered, {failed} failed")
            return 0 if answered else 1
    print(USAGE)
    return 2
