package io.skiff.wire.generator;

/** The type of a schema field: a primitive, a struct, or an array of either. Immutable. */
public final class FieldType {
    public enum Kind {
        BOOL,
        INT8,
        INT16,
        UINT16,
        INT32,
        UINT32,
        INT64,
        FLOAT64,
        STRING,
        BYTES,
        RECORDS,
        UUID,
        STRUCT,
        ARRAY
    }

    public final Kind kind;
    /** For {@link Kind#ARRAY}: the element type. */
    public final FieldType element;
    /** For {@link Kind#STRUCT}: the struct's class name. */
    public final String structName;

    private FieldType(Kind kind, FieldType element, String structName) {
        this.kind = kind;
        this.element = element;
        this.structName = structName;
    }

    public static FieldType parse(String text) {
        if (text.startsWith("[]")) {
            return new FieldType(Kind.ARRAY, parse(text.substring(2)), null);
        }
        switch (text) {
            case "bool":
                return new FieldType(Kind.BOOL, null, null);
            case "int8":
                return new FieldType(Kind.INT8, null, null);
            case "int16":
                return new FieldType(Kind.INT16, null, null);
            case "uint16":
                return new FieldType(Kind.UINT16, null, null);
            case "int32":
                return new FieldType(Kind.INT32, null, null);
            case "uint32":
                return new FieldType(Kind.UINT32, null, null);
            case "int64":
                return new FieldType(Kind.INT64, null, null);
            case "float64":
                return new FieldType(Kind.FLOAT64, null, null);
            case "string":
                return new FieldType(Kind.STRING, null, null);
            case "bytes":
                return new FieldType(Kind.BYTES, null, null);
            case "records":
                return new FieldType(Kind.RECORDS, null, null);
            case "uuid":
                return new FieldType(Kind.UUID, null, null);
            default:
                if (text.isEmpty() || !Character.isUpperCase(text.charAt(0))) {
                    throw new IllegalArgumentException("unknown field type " + text);
                }
                return new FieldType(Kind.STRUCT, null, text);
        }
    }

    public boolean isArray() {
        return kind == Kind.ARRAY;
    }

    public boolean isStruct() {
        return kind == Kind.STRUCT;
    }

    public boolean isStructArray() {
        return kind == Kind.ARRAY && element.kind == Kind.STRUCT;
    }

    /** Whether values of this type can be null on the wire (when the field's nullableVersions allow it). */
    public boolean canBeNullable() {
        return kind == Kind.STRING
                || kind == Kind.BYTES
                || kind == Kind.RECORDS
                || kind == Kind.ARRAY
                || kind == Kind.STRUCT;
    }

    /** Fixed encoded size in bytes, or -1 for variable-size types. */
    public int fixedSize() {
        switch (kind) {
            case BOOL:
            case INT8:
                return 1;
            case INT16:
            case UINT16:
                return 2;
            case INT32:
            case UINT32:
                return 4;
            case INT64:
            case FLOAT64:
                return 8;
            case UUID:
                return 16;
            default:
                return -1;
        }
    }

    public String javaType() {
        switch (kind) {
            case BOOL:
                return "boolean";
            case INT8:
                return "byte";
            case INT16:
                return "short";
            case UINT16:
                return "int";
            case INT32:
                return "int";
            case UINT32:
                return "long";
            case INT64:
                return "long";
            case FLOAT64:
                return "double";
            case STRING:
                return "String";
            case BYTES:
                return "byte[]";
            case RECORDS:
                return "Records";
            case UUID:
                return "Uuid";
            case STRUCT:
                return structName;
            case ARRAY:
                return "List<" + element.boxedType() + ">";
            default:
                throw new IllegalStateException();
        }
    }

    public String boxedType() {
        switch (kind) {
            case BOOL:
                return "Boolean";
            case INT8:
                return "Byte";
            case INT16:
                return "Short";
            case UINT16:
                return "Integer";
            case INT32:
                return "Integer";
            case UINT32:
                return "Long";
            case INT64:
                return "Long";
            case FLOAT64:
                return "Double";
            default:
                return javaType();
        }
    }

    public boolean isJavaPrimitive() {
        switch (kind) {
            case BOOL:
            case INT8:
            case INT16:
            case UINT16:
            case INT32:
            case UINT32:
            case INT64:
            case FLOAT64:
                return true;
            default:
                return false;
        }
    }

    @Override
    public String toString() {
        return kind == Kind.ARRAY
                ? "[]" + element
                : kind == Kind.STRUCT ? structName : kind.name().toLowerCase();
    }
}
