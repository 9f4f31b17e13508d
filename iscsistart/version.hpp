#pragma once
#define ISCSIROOT_VERSION "0.1.0"
