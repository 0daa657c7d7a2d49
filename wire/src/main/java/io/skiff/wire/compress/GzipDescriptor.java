package io.skiff.wire.compress;

/**
 * Layout of a gzip member (RFC 1952). A gzip stream is one or more members back to back. All
 * integers are little-endian.
 *
 * <pre>
 *  +-----+-----+----+-----+-------------------+-----+----+
 *  | ID1 | ID2 | CM | FLG |   MTIME (uint32)  | XFL | OS |   fixed header, 10 bytes
 *  +-----+-----+----+-----+-------------------+-----+----+
 *  (FEXTRA)   | XLEN (uint16) | XLEN bytes |
 *  (FNAME)    | file name, zero-terminated |
 *  (FCOMMENT) | comment, zero-terminated   |
 *  (FHCRC)    | CRC16 (uint16): the low 16 bits of the CRC32 of the header bytes before it |
 *  +--------------------------------------------------+
 *  |  deflate data (RFC 1951) ...                     |
 *  +-----------------+--------------------------------+
 *  | CRC32 (uint32)  | ISIZE (uint32)                 |   trailer: of the decompressed bytes
 *  +-----------------+--------------------------------+
 * </pre>
 *
 * ID1 ID2 are 0x1f 0x8b; CM 8 is deflate, the only method; ISIZE is the decompressed size
 * modulo 2^32. FLG bit 0 (FTEXT) is a hint and bits 5-7 are reserved; neither changes the layout.
 */
public final class GzipDescriptor {
    public static final int ID1 = 0x1f;
    public static final int ID2 = 0x8b;
    public static final int CM_DEFLATE = 8;

    public static final int ID1_OFFSET = 0;
    public static final int ID1_LENGTH = 1;
    public static final int ID2_OFFSET = ID1_OFFSET + ID1_LENGTH;
    public static final int ID2_LENGTH = 1;
    public static final int CM_OFFSET = ID2_OFFSET + ID2_LENGTH;
    public static final int CM_LENGTH = 1;
    public static final int FLG_OFFSET = CM_OFFSET + CM_LENGTH;
    public static final int FLG_LENGTH = 1;
    public static final int MTIME_OFFSET = FLG_OFFSET + FLG_LENGTH;
    public static final int MTIME_LENGTH = 4;
    public static final int XFL_OFFSET = MTIME_OFFSET + MTIME_LENGTH;
    public static final int XFL_LENGTH = 1;
    public static final int OS_OFFSET = XFL_OFFSET + XFL_LENGTH;
    public static final int OS_LENGTH = 1;
    public static final int FIXED_HEADER_LENGTH = OS_OFFSET + OS_LENGTH;

    public static final int XLEN_LENGTH = 2;
    public static final int HEADER_CRC_LENGTH = 2;

    public static final int TRAILER_CRC_OFFSET = 0;
    public static final int TRAILER_CRC_LENGTH = 4;
    public static final int TRAILER_ISIZE_OFFSET = TRAILER_CRC_OFFSET + TRAILER_CRC_LENGTH;
    public static final int TRAILER_ISIZE_LENGTH = 4;
    public static final int TRAILER_LENGTH = TRAILER_ISIZE_OFFSET + TRAILER_ISIZE_LENGTH;

    public static final int FLG_FTEXT = 0x01;
    public static final int FLG_FHCRC = 0x02;
    public static final int FLG_FEXTRA = 0x04;
    public static final int FLG_FNAME = 0x08;
    public static final int FLG_FCOMMENT = 0x10;

    private GzipDescriptor() {}
}
