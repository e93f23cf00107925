import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Every key Flink reads as a ConfigOption, from the jars of one Flink home: each static
 * ConfigOption field's key() and its fallbackKeys(), one key per line, sorted.
 *
 * <p>Usage: java -cp <this class>:<the jars> OptionCatalogue JAR... Only classes whose
 * bytecode mentions a ConfigOption field are initialized (the rest are never loaded), and
 * a class that cannot be initialized outside a running cluster is skipped.
 */
public final class OptionCatalogue {
    private static final byte[] FIELD_TYPE =
            "Lorg/apache/flink/configuration/ConfigOption;".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String jar : args) {
            urls.add(Path.of(jar).toUri().toURL());
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), OptionCatalogue.class.getClassLoader());
        Class<?> optionClass = Class.forName("org.apache.flink.configuration.ConfigOption", false, loader);
        Method key = optionClass.getMethod("key");
        Method fallbackKeys = optionClass.getMethod("fallbackKeys");
        TreeSet<String> keys = new TreeSet<>();
        for (String jar : args) {
            try (JarFile file = new JarFile(jar)) {
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    JarEntry entry = entries.nextElement();
                    String name = entry.getName();
                    if (!name.endsWith(".class")) {
                        continue;
                    }
                    byte[] bytes;
                    try (InputStream in = file.getInputStream(entry)) {
                        bytes = in.readAllBytes();
                    }
                    if (!contains(bytes, FIELD_TYPE)) {
                        continue;
                    }
                    String className = name.substring(0, name.length() - 6).replace('/', '.');
                    try {
                        Class<?> owner = Class.forName(className, true, loader);
                        for (Field field : owner.getDeclaredFields()) {
                            if (!Modifier.isStatic(field.getModifiers()) || !optionClass.isAssignableFrom(field.getType())) {
                                continue;
                            }
                            field.setAccessible(true);
                            Object option = field.get(null);
                            if (option == null) {
                                continue;
                            }
                            keys.add((String) key.invoke(option));
                            for (Object fallback : (Iterable<?>) fallbackKeys.invoke(option)) {
                                keys.add((String) fallback.getClass().getMethod("getKey").invoke(fallback));
                            }
                        }
                    } catch (Throwable skipped) {
                        // a class needing a running cluster, a missing optional dependency, ...
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (String k : keys) {
            out.append(k).append('\n');
        }
        System.out.print(out);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
