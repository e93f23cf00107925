"""The JVM flags every Flink process of the cluster needs, whatever the user adds."""

from __future__ import annotations

# The module flags Flink's own distribution config.yaml sets for Java 17 (Flink's
# reflection into java.util etc. fails without them: e.g. DataStream jobs cannot
# even be translated). Our config.yaml replaces the distribution's, so they are
# rendered here; a user's own env.java.opts.all is appended after them.
JAVA_17_MODULE_FLAGS = " ".join(
    [
        *(
            f"--add-exports={target}=ALL-UNNAMED"
            for target in (
                "java.base/sun.net.util",
                "java.rmi/sun.rmi.registry",
                "jdk.compiler/com.sun.tools.javac.api",
                "jdk.compiler/com.sun.tools.javac.file",
                "jdk.compiler/com.sun.tools.javac.parser",
                "jdk.compiler/com.sun.tools.javac.tree",
                "jdk.compiler/com.sun.tools.javac.util",
                "java.security.jgss/sun.security.krb5",
            )
        ),
        *(
            f"--add-opens=java.base/{package}=ALL-UNNAMED"
            for package in (
                "java.lang",
                "java.net",
                "java.io",
                "java.nio",
                "sun.nio.ch",
                "java.lang.reflect",
                "java.text",
                "java.time",
                "java.util",
                "java.util.concurrent",
                "java.util.concurrent.atomic",
                "java.util.concurrent.locks",
            )
        ),
    ]
)
