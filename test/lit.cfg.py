# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "weft"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "Inputs", "harness.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.weft_obj_root, "test")

config.substitutions.append(("%PYTHON", config.python_executable))
llvm_config.with_system_environment(["HOME", "PATH", "TMPDIR"])
llvm_config.use_default_substitutions()

tool_dirs = [config.weft_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["weft-opt", "weftc", "weft-run"], tool_dirs)
llvm_config.with_environment("PATH", config.weft_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

llvm_config.add_tool_substitutions(
    ["weft-runtime-tests", "weft-compiler-tests", "weft-fuzz-artifact"],
    tool_dirs)
if os.path.exists(os.path.join(config.weft_tools_dir, "weft-fuzz-artifact")):
    config.available_features.add("libfuzzer")
