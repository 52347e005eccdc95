package iptq.etl;

import java.nio.ByteBuffer;

/** One extended data item of an EVENT_HEADER event (EVENT_HEADER_EXT_TYPE_*), data read-only. */
public record ExtendedItem(int extType, ByteBuffer data) {
  public static final int RELATED_ACTIVITYID = 1;
  public static final int SID = 2;
  public static final int TS_ID = 3;
  public static final int INSTANCE_INFO = 4;
  public static final int STACK_TRACE32 = 5;
  public static final int STACK_TRACE64 = 6;
  public static final int PEBS_INDEX = 7;
  public static final int PMC_COUNTERS = 8;
  public static final int PSM_KEY = 9;
  public static final int EVENT_KEY = 10;
  public static final int EVENT_SCHEMA_TL = 11;
  public static final int PROV_TRAITS = 12;
  public static final int PROCESS_START_KEY = 13;
  public static final int CONTROL_GUID = 14;
  public static final int QPC_DELTA = 15;
  public static final int CONTAINER_ID = 16;
  public static final int STACK_KEY32 = 17;
  public static final int STACK_KEY64 = 18;
}
