"""Call 24 (entry 85): patches an installed copy of sgmv's loader so every kernel asks for the smallest shared-memory
carveout that still holds as many blocks an SM as the driver's default gives (the rest is L1), and logs each choice
to $CARVEOUT_LOG.  python3 carveout_overlay.py SITE_DIR"""
import pathlib
import sys

path = pathlib.Path(sys.argv[1]) / "sgmv" / "loader.py"
text = path.read_text()
anchor = """                _check(driver, driver.cuFuncSetAttribute(fn, attr, kernel.smem_bytes), "cuFuncSetAttribute")
"""
patch = anchor + """            _tight_carveout(driver, fn, kernel, self.ordinal)
"""
helper = '''

def _tight_carveout(driver, fn, kernel, ordinal):
    import math, os
    occupancy = lambda: _check(driver, driver.cuOccupancyMaxActiveBlocksPerMultiprocessor(
        fn, kernel.threads, kernel.smem_bytes), "occupancy")
    blocks = occupancy()
    dev = _check(driver, driver.cuDeviceGet(ordinal), "cuDeviceGet")
    attr = lambda a: _check(driver, driver.cuDeviceGetAttribute(a, dev), "attr")
    A = driver.CUdevice_attribute
    per_sm = attr(A.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR)
    reserved = attr(A.CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK)
    static = _check(driver, driver.cuFuncGetAttribute(
        driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, fn), "static smem")
    need = blocks * (kernel.smem_bytes + static + reserved)
    percent = min(100, math.ceil(100 * need / per_sm))
    carve = driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT
    _check(driver, driver.cuFuncSetAttribute(fn, carve, percent), "carveout")
    after = occupancy()
    if after != blocks:
        _check(driver, driver.cuFuncSetAttribute(fn, carve, -1), "carveout")
    with open(os.environ.get("CARVEOUT_LOG", "/tmp/carveout.log"), "a") as log:
        log.write(f"{kernel.name} smem {kernel.smem_bytes} blocks {blocks} percent {percent} after {after}\\n")
'''
assert anchor in text and "_tight_carveout" not in text
path.write_text(text.replace(anchor, patch) + helper)
print("patched", path)
