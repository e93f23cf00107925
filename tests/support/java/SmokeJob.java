// A tiny streaming job that uses every slot it is given: a bounded sequence, a map,
// a keyed reduce (so data crosses TaskManagers over the network) and a print sink.
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

public class SmokeJob {
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(1, 200_000)
                .map(value -> value * 2)
                .keyBy(value -> value % 64)
                .reduce(Long::sum)
                .print();
        env.execute("flink-session smoke job");
    }
}
