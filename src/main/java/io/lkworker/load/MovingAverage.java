package io.lkworker.load;

/**
 * The mean of the last {@code window} values added (fewer until the window fills; 0 when empty).
 * Not thread-safe: the load monitor owns one and touches it only from the loop thread.
 */
public final class MovingAverage {

    private final double[] values;
    private int next;
    private int count;
    private double sum;

    public MovingAverage(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        this.values = new double[window];
    }

    public void add(double value) {
        if (count == values.length) {
            sum -= values[next];
        } else {
            count++;
        }
        values[next] = value;
        sum += value;
        next = (next + 1) % values.length;
    }

    /** Mean of the retained values, 0 before the first one. */
    public double value() {
        if (count == 0) {
            return 0;
        }
        // recomputed rather than trusting the running sum, so rounding drift never accumulates
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += values[i];
        }
        return total / count;
    }

    public int count() {
        return count;
    }

    public int window() {
        return values.length;
    }
}
