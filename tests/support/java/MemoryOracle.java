// Runs Flink's own BashJavaUtils (what the image's scripts use to size the JVM) once per
// line of stdin, in one JVM, so hundreds of cases take seconds instead of minutes.
// Each stdin line is tab-separated BashJavaUtils arguments; each answer ends with "END".
import java.io.BufferedReader;
import java.io.InputStreamReader;

public class MemoryOracle {
    public static void main(String[] ignored) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            try {
                org.apache.flink.runtime.util.bash.BashJavaUtils.main(line.split("\t"));
            } catch (Throwable error) {
                Throwable root = error;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                System.out.println("ERROR:" + error.getClass().getSimpleName() + ": " + root.getMessage());
            }
            System.out.println("END");
            System.out.flush();
        }
    }
}
