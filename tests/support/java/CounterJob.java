// A small stateful streaming job for the session-job tests: an unbounded, rate-limited
// sequence keyed into 8 counters held in keyed state. Each subtask reports two gauges:
// firstCount (the first count it produced since it started: 1 on a fresh start, more
// when it resumed from a savepoint) and maxCount. Stable uids let a savepoint taken at
// one parallelism restore at another. Args: [eventsPerSecond] (default 40).
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

public class CounterJob {
    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 40;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(index -> index, Long.MAX_VALUE, RateLimiterStrategy.perSecond(rate), Types.LONG);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "sequence")
                .uid("sequence")
                .keyBy(value -> value % 8)
                .map(new Count())
                .uid("counter")
                .name("counter")
                .sinkTo(new DiscardingSink<>())
                .uid("discard");
        env.execute("flink-session counter job");
    }

    static class Count extends RichMapFunction<Long, Long> {
        private transient ValueState<Long> count;
        private transient volatile long first;
        private transient volatile long max;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            getRuntimeContext().getMetricGroup().gauge("firstCount", (Gauge<Long>) () -> first);
            getRuntimeContext().getMetricGroup().gauge("maxCount", (Gauge<Long>) () -> max);
        }

        @Override
        public Long map(Long value) throws Exception {
            long next = (count.value() == null ? 0 : count.value()) + 1;
            count.update(next);
            if (first == 0) {
                first = next;
            }
            max = Math.max(max, next);
            return next;
        }
    }
}
