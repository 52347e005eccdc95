package iptq.ingest;

import java.util.concurrent.Semaphore;

/**
 * The heap that segment bytes read ahead of decoding may take at once: a quarter of the maximum
 * heap. An ipt.sys ring is read whole (up to 128 MiB each, as much as the file holds), and the
 * reader runs ahead of the decoders by the pool's queue; without a budget, ten rings of 128 MiB
 * claimed by a 40 KB sparse file were an OutOfMemoryError. A ring larger than the whole budget
 * takes all of it, so it is decoded alone.
 */
final class HeapBudget {
  /** Permits are KiB, so that the budget of any heap fits an int. */
  private final int total;
  private final Semaphore free;

  HeapBudget(long bytes) {
    total = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes >> 10));
    free = new Semaphore(total, true);
  }

  static HeapBudget ofHeap() {
    return new HeapBudget(Runtime.getRuntime().maxMemory() / 4);
  }

  /** Waits until {@code bytes} may be held; returns the permits to give back with {@link #release}. */
  int acquire(long bytes) throws InterruptedException {
    int n = (int) Math.max(1, Math.min(total, (bytes + 1023) >> 10));
    free.acquire(n);
    return n;
  }

  void release(int permits) {
    free.release(permits);
  }
}
