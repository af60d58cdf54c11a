package org.openslx.netboot.stage3.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DescribedMachineTest {
    @Test
    void disksAppearOnTheVirtualClock() throws InterruptedException {
        DescribedMachine machine = DescribedMachine.parse("m.json", """
                { "disks": [ { "name": "sdb", "size": "32G", "appearsAfterSeconds": 2,
                               "partitions": [ { "number": 1, "size": "1G", "appearsAfterSeconds": 3 } ] } ] }""");
        assertThat(machine.snapshot().disks()).isEmpty();
        machine.clock().sleep(Duration.ofSeconds(2));
        assertThat(machine.snapshot().disks().getFirst().partitions()).isEmpty();
        machine.clock().sleep(Duration.ofSeconds(1));
        assertThat(machine.snapshot().partitions()).extracting(Partition::name).containsExactly("sdb1");
    }

    @Test
    void typosAndBadValuesNameTheirPlace() {
        assertThatThrownBy(() -> DescribedMachine.parse("m.json",
                "{ \"disks\": [ { \"name\": \"sda\", \"size\": \"1G\", \"partitions\": [ { \"number\": 1, \"size\": \"1G\", \"gptname\": \"x\" } ] } ] }"))
                .hasMessageStartingWith("machine file m.json: disks[0].partitions[0]: unknown key 'gptname'");
        assertThatThrownBy(() -> DescribedMachine.parse("m.json", "{ \"disks\": [ { \"name\": \"sda\", \"size\": \"lots\" } ] }"))
                .hasMessageContaining("disks[0].size: 'lots' is not a size");
        assertThatThrownBy(() -> DescribedMachine.parse("m.json", "{ \"disks\": [ { \"name\": \"../etc\", \"size\": 1 } ] }"))
                .hasMessageContaining("is not a kernel block device name");
    }

    @Test
    void brokenJsonNamesLineAndColumn() {
        assertThatThrownBy(() -> DescribedMachine.parse("m.json", "{\n  \"disks\": [ }"))
                .hasMessage("m.json line 2 column 14: unexpected character '}'");
        assertThatThrownBy(() -> DescribedMachine.parse("m.json", "[".repeat(100_000)))
                .hasMessageContaining("nested deeper than 64 levels");
        assertThatThrownBy(() -> DescribedMachine.parse("m.json", "{\"a\": 1, \"a\": 2}"))
                .hasMessageContaining("key 'a' appears twice");
        assertThatThrownBy(() -> DescribedMachine.parse("m.json", "{\"disks\": \"unterminated"))
                .hasMessageContaining("string never closed");
    }
}
