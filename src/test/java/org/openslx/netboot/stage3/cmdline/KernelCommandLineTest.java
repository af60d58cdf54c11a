package org.openslx.netboot.stage3.cmdline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The kernel's own splitting rules (lib/cmdline.c next_arg), which dracut's getarg follows. */
class KernelCommandLineTest {
    @Test
    void quotedValueLosesItsQuotesAndKeepsItsSpaces() {
        KernelCommandLine cmdline = KernelCommandLine.parse("foo=\"a b\" bar=1");
        assertThat(cmdline.parameters()).containsExactly(
                new KernelParameter("foo", Optional.of("a b")), new KernelParameter("bar", Optional.of("1")));
    }

    @Test
    void quoteAroundTheWholeParameterMeansTheSame() {
        assertThat(KernelCommandLine.parse("\"foo=a b\"").last("foo")).contains("a b");
    }

    @Test
    void quotesInsideAValueGroupWordsButStay() {
        assertThat(KernelCommandLine.parse("foo=a\"b c\"d next").last("foo")).contains("a\"b c\"d");
    }

    @Test
    void bareWordsAreFlagsWithoutValue() {
        KernelCommandLine cmdline = KernelCommandLine.parse("quiet  splash\tro");
        assertThat(cmdline.has("quiet")).isTrue();
        assertThat(cmdline.last("quiet")).isEmpty();
        assertThat(cmdline.parameters()).hasSize(3);
    }

    @Test
    void lastValueWinsAndAllValuesAreKept() {
        KernelCommandLine cmdline = KernelCommandLine.parse("ip=dhcp ip=10.0.0.5:10.0.0.1:10.0.0.1:255.0.0.0");
        assertThat(cmdline.values("ip")).hasSize(2);
        assertThat(cmdline.last("ip")).contains("10.0.0.5:10.0.0.1:10.0.0.1:255.0.0.0");
    }

    @Test
    void doubleDashEndsTheKernelsParameters() {
        KernelCommandLine cmdline = KernelCommandLine.parse("a=1 -- b=2");
        assertThat(cmdline.has("b")).isFalse();
    }

    @Test
    void emptyValueAndEqualsInsideValue() {
        KernelCommandLine cmdline = KernelCommandLine.parse("empty= root=LABEL=a=b");
        assertThat(cmdline.last("empty")).contains("");
        assertThat(cmdline.last("root")).contains("LABEL=a=b");
    }

    @Test
    void unterminatedQuoteRunsToTheEnd() {
        assertThat(KernelCommandLine.parse("foo=\"a b c").last("foo")).contains("a b c");
    }

    @Test
    void trailingNewlineOfProcCmdlineIsWhitespace() {
        assertThat(KernelCommandLine.parse("slxsrv=10.0.0.1\n").last("slxsrv")).contains("10.0.0.1");
    }

    @Test
    void rewrittenCommandLineReadsBackTheSame() {
        KernelCommandLine cmdline = KernelCommandLine.parse("quiet title=\"OpenSLX boot\" ip=10.0.0.5:10.0.0.1:10.0.0.1:255.0.0.0 x=");
        String rewritten = cmdline.without(p -> p.key().equals("ip"));
        assertThat(rewritten).isEqualTo("quiet title=\"OpenSLX boot\" x=");
        assertThat(KernelCommandLine.parse(rewritten).parameters())
                .containsExactlyElementsOf(cmdline.parameters().stream().filter(p -> !p.key().equals("ip")).toList());
    }
}
