package org.openslx.netboot.dnbd3.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"win10.qcow2", "rz/win10.qcow2", "a/b/c", "name.with.dots", "a-b_c+d", "ünïcode/ok"})
    void namesLikeTheReferenceAcceptsAreAccepted(String name) {
        assertThat(ImageName.problem(name)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "trailing/", ".hidden", "a/.hidden", "../x", "a/../x", "a/./b", "a/..",
            "nul\0byte", "back\\slash", "a//b"})
    void namesBreakingTheRulesAreRefused(String name) {
        assertThat(ImageName.problem(name)).isNotNull();
    }

    @Test
    void overlongNamesAndComponentsAreRefused() {
        assertThat(ImageName.problem("x".repeat(151))).contains("longer than 150");
        assertThat(ImageName.problem("x".repeat(150))).isNull();
        assertThat(ImageName.problem(("y".repeat(100) + "/").repeat(10) + "z")).contains("longer than 994");
    }

    @Test
    void logFormEscapesControlCharactersAndShortens() {
        assertThat(ImageName.forLog("a\nb")).isEqualTo("'a\\x0ab'");
        assertThat(ImageName.forLog("x".repeat(500))).hasSizeLessThan(130);
    }
}
