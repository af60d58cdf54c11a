package org.openslx.netboot.block.qcow2;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * A shared C library of the system, opened through the JDK's foreign function API (no JNI, no
 * copy of the library in our jar). Used for the decompressors that are faster than their Java
 * counterparts; each has a Java fallback for systems without the library.
 */
final class NativeLibrary {
    private static final System.Logger LOG = System.getLogger(NativeLibrary.class.getName());

    /**
     * {@code -Dslx.qcow2.native=false} turns the native decompressors off, to compare them with
     * the Java ones or to work around a broken library.
     */
    static final boolean ENABLED = !"false".equals(System.getProperty("slx.qcow2.native"));

    private final String name;
    private final SymbolLookup symbols;

    private NativeLibrary(String name, SymbolLookup symbols) {
        this.name = name;
        this.symbols = symbols;
    }

    /**
     * Opens {@code soname} (e.g. {@code libzstd.so.1}) the way the dynamic linker finds it, or
     * returns null if it is missing or native access is not allowed.
     */
    static NativeLibrary open(String soname) {
        if (!ENABLED) {
            return null;
        }
        try {
            // The library stays loaded for the life of the process, as its users do.
            return new NativeLibrary(soname, SymbolLookup.libraryLookup(soname, Arena.global()));
        } catch (IllegalArgumentException | IllegalCallerException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0} not usable ({1}); using the Java decoder", soname,
                    e.getMessage());
            return null;
        }
    }

    /**
     * A handle for function {@code symbol}. Critical calls may read and write Java arrays in
     * place (no copy), and are meant for short functions that never call back into Java: a
     * cluster's decompression takes well under a millisecond.
     */
    MethodHandle function(String symbol, FunctionDescriptor signature, boolean critical) {
        var address = symbols.find(symbol).orElseThrow(
                () -> new IllegalArgumentException(name + " has no function " + symbol));
        return critical
                ? Linker.nativeLinker().downcallHandle(address, signature, Linker.Option.critical(true))
                : Linker.nativeLinker().downcallHandle(address, signature);
    }

    String name() {
        return name;
    }
}
