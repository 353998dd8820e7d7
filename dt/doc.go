// Package dt is dangle's device-tree source layer: it parses device-tree
// source (.dts, .dtso) in dtc's syntax, prints it back in a canonical
// form, and compiles it into the Tree that dtc would write into a blob.
// It also reads and writes binary blobs (.dtb, .dtbo) as the same Tree
// (fdt.go). It knows nothing of the simulator, which consumes Trees.
//
// The reference is dtc 1.6.1 (the version Debian bookworm ships and that
// built the blobs in shared/boards): what it accepts, the bytes it
// produces and the order it produces them in. The tests compare the
// package with the dtc binary on a corpus and on random sources.
//
// # What is modelled
//
//   - The whole dtc source language without the preprocessor: /dts-v1/,
//     /plugin/, /memreserve/, labels (on nodes, properties, memreserves and
//     inside values), root blocks, &label and &{/path} blocks,
//     /delete-node/, /delete-property/, /omit-if-no-ref/, strings with
//     escapes, cell arrays with /bits/, references and integer expressions,
//     character literals, byte strings, bare references (path strings) and
//     comments.
//   - Compilation as dtc does it: blocks merged in file order, deletion and
//     revival, phandle allocation in dtc's order, path references,
//     /__symbols__ (dtc -@), and for /plugin/ files the fragment@N nodes,
//     /__fixups__ and /__local_fixups__ – down to dtc's quirks (label
//     order, revived nodes and properties keeping their old place).
//   - The errors dtc reports for broken sources, with file:line:col.
//
// # What is not
//
//   - The C preprocessor: #include, #define and macros need cpp, which
//     the parser does not run; such lines are rejected with an error
//     saying so. [Preprocess] runs the system's cpp first, as the kernel
//     build does (cpp.go), and maps positions in its output back to the
//     original file and line. /include/ and /incbin/ are rejected: a File
//     is one self-contained source.
//   - dtc's warnings (unit address format, bus checks, …) are not
//     reproduced: they do not change the output.
//
// Where dtc 1.6.1 writes a blob that nothing can use, Compile reports an
// error instead: a fixup for an &{/path} reference that is not in the
// overlay (dtc writes a __fixups__ property named after the path), and a
// deleted root node. An entry of size 0 ends the memory reserve map in a
// blob, so Tree.MemReserve stops before it.
//
// # API
//
// Source files:
//   - [Parse] reads a [File]: [NodeDef], [PropDef], [Value], [Cell],
//     [Expr], [Ref], [MemReserveDef], with [Comments] and [Pos].
//   - [Format] prints a File canonically; Parse(Format(f)) equals f.
//   - Errors are [*Error] values: File, Line, Col, Msg.
//
// Compiling:
//   - [Compile] with [CompileOptions] turns a File into a [Tree];
//     [Load] parses and compiles.
//
// Preprocessing:
//   - [Preprocess] runs cpp with the kernel's flags ([CPPArgs]) and -I
//     directories; [Preprocessed.Origin] and [Preprocessed.MapError] map
//     its output back; [NeedsCPP] tells a source that needs it.
//
// Blobs:
//   - [ReadFDT] and [LoadBlob] decode a blob into a Tree ([*FDTError] on
//     malformed input), [WriteFDT] encodes one as dtc does, [IsFDT] tells a
//     blob from source.
//
// Compiled trees ([Tree], [Node], [Property], [MemReserve]):
//   - [Tree.Find] (by path), [Tree.Label], [Node.Child], [Node.Prop];
//   - [Property.String], [Property.Strings], [Property.U32s];
//   - [Tree.Clone], [Node.Clone];
//   - [Tree.DTS] prints a tree the way "dtc -I dtb -O dts" prints its blob.
package dt
