package org.openslx.netboot.stage3.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openslx.netboot.stage3.Golden;

class ConfigParserTest {
    private static final Path CONFIGS = Golden.RESOURCES.resolve("stage3/config");

    @TempDir
    Path dir;

    @Test
    void seedExampleReadsAsTheSeedWritesIt() throws IOException {
        ParsedConfig config = ConfigParser.parse("seed", Files.readString(CONFIGS.resolve("seed-example.config")));
        assertThat(config.variables())
                .containsEntry("SLX_DNBD3_SERVERS", "1.2.3.4")
                .containsEntry("SLX_MOUNT_ROOT_OPTIONS", "-o subvol=@")
                .containsEntry("SLX_SYSTEM_PARTITION_PREPARATION_SCRIPT", "")
                .hasSize(18);
        assertThat(config.assignment("SLX_RAMDISK_SIZE_IN_KB").orElseThrow().line()).isEqualTo(16);
    }

    @Test
    void quirksReadAsAShellReadsThem() throws IOException {
        ParsedConfig config = ConfigParser.parse("quirks", Files.readString(CONFIGS.resolve("quirks.config")));
        Map<String, String> v = config.variables();
        assertThat(v).containsEntry("SLX_DNBD3_SERVERS", "10.0.0.1 10.0.0.2:5003")
                .containsEntry("SLX_DNBD3_IMAGE", "bwlp/ubuntu 22.04.qcow2")
                .containsEntry("SLX_MOTD", "It's a \"test\" with $HOME and `backticks`")
                .containsEntry("SLX_PRICE", "costs 5$ or $6, a \"quote\" and a \\ backslash")
                .containsEntry("SLX_MULTI", "line one\nline two")
                .containsEntry("SLX_DOUBLE_MULTI", "first joined")
                .containsEntry("SLX_HASH", "a#b")
                .containsEntry("SLX_EMPTY", "")
                .containsEntry("SLX_REF", "bwlp/ubuntu 22.04.qcow2@r7")
                .containsEntry("SLX_UNQUOTED_REF", "7-x")
                .containsEntry("SLX_GLOB", "*.qcow2")
                .containsEntry("SLX_DNBD3_RID", "8");
        assertThat(config.assignment("SLX_DNBD3_RID").orElseThrow().line()).isEqualTo(20);
    }

    /** The real peer: /bin/sh sourcing the same files must see the same values. */
    @Test
    void aRealShellSourcingTheConfigSeesTheSameValues() throws Exception {
        for (String name : List.of("seed-example.config", "quirks.config")) {
            Path file = CONFIGS.resolve(name);
            ParsedConfig config = ConfigParser.parse(name, Files.readString(file));
            assertThat(shellValues(file, config.variables().keySet())).as(name).isEqualTo(config.variables());
        }
    }

    @Test
    void derivedVariablesMayBeReferenced() {
        ParsedConfig config = ConfigParser.parse("t", "SLX_URL=\"http://$SLX_PXE_SERVER_IP/x\"\n",
                Map.of("SLX_PXE_SERVER_IP", "10.0.0.1"));
        assertThat(config.variables()).containsEntry("SLX_URL", "http://10.0.0.1/x");
    }

    @Test
    void byteOrderMarkAndWindowsLineEndingsAreReadWithAWarning() {
        ParsedConfig config = ConfigParser.parse("t", "\uFEFFSLX_A='1'\r\nSLX_B=2\r\n");
        assertThat(config.variables()).containsEntry("SLX_A", "1").containsEntry("SLX_B", "2");
        assertThat(config.warnings()).hasSize(2);
    }

    @Test
    void commandSubstitutionIsAnErrorWithItsLineNumber() {
        assertThatThrownBy(() -> ConfigParser.parse("cfg", "SLX_A=1\n\nSLX_B=\"$(hostname)\"\n"))
                .isInstanceOf(ConfigSyntaxException.class)
                .hasMessage("config cfg: line 3: $(...) runs a command, which needs a shell");
    }

    @Test
    void everyLineThatNeedsAShellIsReportedAtOnce() {
        String text = String.join("\n",
                "SLX_A=`id`",                 // 1
                "SLX_B=${SLX_A:-default}",    // 2
                "SLX_C=$UNDEFINED",           // 3
                "SLX_D=1 SLX_E=2",            // 4
                "echo hello",                 // 5
                "SLX_F=a;b",                  // 6
                "SLX_G+=x",                   // 7
                "SLX_H=~/cow",                // 8
                "SLX_I=$((1+2))",             // 9
                "SLX_J=$1",                   // 10
                "SLX_K=$'\\n'",               // 11
                ". /etc/other",               // 12
                "SLX_L='never closed",        // 13
                "");
        assertThatThrownBy(() -> ConfigParser.parse("bad.config", text))
                .isInstanceOfSatisfying(ConfigSyntaxException.class, e -> assertThat(e.problems()).containsExactly(
                        "line 1: backticks run a command, which needs a shell",
                        "line 2: ${SLX_A:-default} needs a shell; only ${NAME} is read here",
                        "line 3: $UNDEFINED is not defined earlier in the config (slx-netboot does not read the"
                                + " environment, and an empty value here is almost always a typo)",
                        "line 4: unexpected 'SLX_E=2' after the value of SLX_D (one assignment per line; quote values"
                                + " that contain spaces)",
                        "line 5: expected NAME=value, found 'echo'",
                        "line 6: unquoted ';' needs a shell; quote the value",
                        "line 7: 'SLX_G+=' appends, which needs a shell; write the whole value",
                        "line 8: an unquoted '~' at the start of a value expands to a home directory in a shell;"
                                + " quote it ('~...') if you mean the character",
                        "line 9: $((...)) is arithmetic, which needs a shell",
                        "line 10: $1 is a shell's special parameter; it has no value in a config",
                        "line 11: $'...' quoting is a bash feature; use plain single quotes",
                        "line 12: '.' is a shell command; a config holds only NAME=value lines",
                        "line 13: the single quote opened on line 13 is never closed"));
    }

    @Test
    void aReferenceToALaterVariableIsAnError() {
        assertThatThrownBy(() -> ConfigParser.parse("c", "SLX_A=\"$SLX_B\"\nSLX_B=1\n"))
                .hasMessageContaining("line 1: $SLX_B is not defined earlier");
    }

    @Test
    void nulByteIsRefused() {
        assertThatThrownBy(() -> ConfigParser.parse("c", "SLX_A=1\nSLX_B=\0\n"))
                .hasMessageContaining("line 2: contains a NUL byte");
    }

    @Test
    void stageFourCopyReadsBackUnchangedInARealShell() throws Exception {
        ParsedConfig config = ConfigParser.parse("quirks", Files.readString(CONFIGS.resolve("quirks.config")));
        Map<String, String> derived = new LinkedHashMap<>();
        derived.put("SLX_PXE_CLIENT_IP", "10.0.0.5");
        derived.put("SLX_DNBD3_RID", "9");
        Path copy = dir.resolve("config");
        Files.writeString(copy, StageFourConfig.render(config, derived));
        Map<String, String> expected = new LinkedHashMap<>(config.variables());
        expected.putAll(derived);
        assertThat(shellValues(copy, expected.keySet())).isEqualTo(expected);
        assertThat(ConfigParser.parse("copy", Files.readString(copy)).variables()).isEqualTo(expected);
    }

    /** Sources {@code file} in a clean /bin/sh and returns the named variables' values. */
    private static Map<String, String> shellValues(Path file, Iterable<String> names) throws Exception {
        List<String> nameList = new ArrayList<>();
        names.forEach(nameList::add);
        StringBuilder script = new StringBuilder(". \"$1\"\n");
        for (String name : nameList) {
            script.append("printf '%s\\0' \"$").append(name).append("\"\n");
        }
        Process process = new ProcessBuilder("env", "-i", "HOME=/root", "/bin/sh", "-c", script.toString(), "sh",
                file.toAbsolutePath().toString()).redirectErrorStream(false).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).isZero();
        String[] values = new String(out, StandardCharsets.UTF_8).split("\0", -1);
        Map<String, String> result = new LinkedHashMap<>();
        for (int i = 0; i < nameList.size(); i++) {
            result.put(nameList.get(i), values[i]);
        }
        return result;
    }
}
