package org.openslx.netboot.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl: the HTTP client nobody here wrote. URLs are sent as written (--path-as-is). */
final class Curl {
    record Answer(int status, byte[] body, String headers) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private Curl() {
    }

    static Answer get(Path scratch, String url, String... extraArguments) throws IOException, InterruptedException {
        Path body = Files.createTempFile(scratch, "curl-body", "");
        Path headers = Files.createTempFile(scratch, "curl-headers", "");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--path-as-is", "--max-time", "30",
                "-o", body.toString(), "-D", headers.toString(), "-w", "%{http_code}"));
        command.addAll(List.of(extraArguments));
        command.add(url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("curl " + url + " failed: " + out);
        }
        Answer answer = new Answer(Integer.parseInt(out), Files.readAllBytes(body), Files.readString(headers));
        Files.delete(body);
        Files.delete(headers);
        return answer;
    }
}
