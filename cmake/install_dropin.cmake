# cmake -DFROM=<built plugin> -DTO_DIR=<dropins folder> -P install_dropin.cmake
# Puts a built plugin into a dropins folder a running server may be reading: only when it
# changed, and by rename, never by rewriting the file in place (a server that has the old file
# mapped would crash).
get_filename_component(name "${FROM}" NAME)
set(to "${TO_DIR}/${name}")
if(EXISTS "${to}")
  file(SHA256 "${FROM}" new_hash)
  file(SHA256 "${to}" old_hash)
  if(new_hash STREQUAL old_hash)
    return()
  endif()
endif()
file(MAKE_DIRECTORY "${TO_DIR}")
file(COPY_FILE "${FROM}" "${TO_DIR}/.${name}.tmp")
file(RENAME "${TO_DIR}/.${name}.tmp" "${to}")
