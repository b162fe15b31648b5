"""Entry 115's layout on paper (CPU): row_offset and shrink_offset as the branch writes them, checked for a
one-to-one map of each tile's rows, 8 distinct 16-byte bank groups in every phase of the shrink's ldmatrix (8
consecutive rows, one column) and of update_y (two rows, 4 columns), each producer phase within one 128-byte line,
and the producers' one destination an area (a lane's rows 8 apart differ by constants). `python3 layout_check.py`."""


def row_swizzle(row):
    return 4 * (row % 2) + row // 2 % 4


def check_row_offset(chunk, rows):
    def off(row, col):
        return row * 2 * chunk + 16 * ((col // 8) ^ row_swizzle(row))
    places = {off(r, c) for r in range(rows) for c in range(0, chunk, 8)}
    assert len(places) == rows * chunk // 8 and max(places) < rows * 2 * chunk
    for r0 in range(0, rows, 8):
        for c in range(0, chunk, 8):
            assert len({off(r0 + i, c) % 128 // 16 for i in range(8)}) == 8
    for group in range(rows // 16):
        for h in range(2):
            for q in range(4):
                for col0 in range(0, chunk, 32):
                    lanes = range(8 * q, 8 * q + 8)
                    groups = {off(16 * group + lane // 4 + 8 * h, col0 + 8 * (lane % 4)) % 128 // 16 for lane in lanes}
                    assert len(groups) == 8
    for warp in range(2):
        for a in range(4):
            row8 = a + 4 * warp
            for h in range(rows // 8):
                for line in range(chunk // 64):
                    dsts = [off(row8 + 8 * h, 64 * line + 8 * p) for p in range(8)]
                    assert len({d // 128 for d in dsts}) == 1
                    assert all(off(row8 + 8 * h, 64 * line + 8 * p) == off(row8, 8 * p) + 16 * chunk * h + 128 * line
                               for p in range(8))


def check_shrink_offset(half_rows):
    def off(row, piece):
        return piece // 8 * (half_rows * 128) + row * 128 + 16 * ((piece % 8) ^ (row % 8))
    for row8 in range(8):
        for h in range(half_rows // 8):
            for line in range(2):
                assert all(off(row8 + 8 * h, 8 * line + p) == off(row8, p) + 1024 * h + half_rows * 128 * line
                           for p in range(8))


if __name__ == "__main__":
    check_row_offset(128, 64)  # the 64-row tile (y; x and A too without wgmma)
    check_row_offset(256, 16)  # the 16-row tile
    for half_rows in (16, 32, 64):  # kWarpgroupShrink's x (64 rows) and A (the rank)
        check_shrink_offset(half_rows)
    print("layout ok")
