// Compile check of the public header until the implementation lands.
#include "storage/events/event_store.h"
