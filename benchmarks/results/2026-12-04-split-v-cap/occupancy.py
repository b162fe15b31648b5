"""NOTES entry 267: the driver's occupancy of each fused kernel with an occupancy cap (codegen's
KernelSpec.occupancy_cap), before and after the loader sets its shared-memory carveout: whether the driver's count
follows the carveout. Run with the wheel under test first on PYTHONPATH."""
import torch

from sgmv import loader
from sgmv.manifest import load

torch.zeros(1, device="cuda")
dev = loader.device(0)
driver = loader._driver()
attr = driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT


def occupancy(fn, kernel):
    driver.cuCtxPushCurrent(dev.context)
    try:
        return loader._check(driver, driver.cuOccupancyMaxActiveBlocksPerMultiprocessor(
            fn, kernel.threads, kernel.smem_bytes), "occupancy")
    finally:
        driver.cuCtxPopCurrent()


for kernel in load().kernels:
    if not kernel.occupancy_cap:
        continue
    fn = dev.function(kernel)  # the loader sets the carveout
    capped = occupancy(fn, kernel)
    driver.cuCtxPushCurrent(dev.context)
    loader._check(driver, driver.cuFuncSetAttribute(fn, attr, -1), "reset")  # no preference
    driver.cuCtxPopCurrent()
    free = occupancy(fn, kernel)
    print(f"{kernel.name}: smem {kernel.smem_bytes} carveout {dev._carveout_percent(kernel)}% "
          f"occupancy with it {capped}, without {free}")
