#include "controller/demo_cameras.hpp"
