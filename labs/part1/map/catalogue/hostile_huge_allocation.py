hoard = bytearray(50 * 10**9)
